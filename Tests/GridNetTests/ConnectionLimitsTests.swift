import GridCore
import GridCrypto
import Testing
@testable import GridNet

/// The pure counting behind a listener's connection limits.
@Suite struct ConnectionLimitsTests {
    let alice = Identity.generate().peerID
    let bob = Identity.generate().peerID

    @Test func admitsUpToTheTotalThenRefusesWithTheLimit() {
        var limits = ConnectionLimits(maxConnections: 3, maxPerAddress: 10, maxPerPeer: 10)
        for index in 0..<3 {
            #expect(limits.accept(from: "10.0.0.\(index)") == .admitted)
        }
        #expect(limits.accept(from: "10.0.0.9") == .refused(.tooManyConnections(limit: 3)))
        #expect(limits.total == 3)
        #expect(limits.refusing == 1)
        limits.closed(from: "10.0.0.1", peer: nil)
        #expect(limits.accept(from: "10.0.0.9") == .admitted)
    }

    @Test func countsEachAddressSeparately() {
        var limits = ConnectionLimits(maxConnections: 100, maxPerAddress: 2, maxPerPeer: 10)
        #expect(limits.accept(from: "127.0.0.1") == .admitted)
        #expect(limits.accept(from: "127.0.0.1") == .admitted)
        #expect(limits.accept(from: "127.0.0.1") == .refused(.tooManyFromAddress(limit: 2)))
        #expect(limits.accept(from: "::1") == .admitted)
        #expect(limits.connections(from: "127.0.0.1") == 2)
        limits.closed(from: "127.0.0.1", peer: nil)
        #expect(limits.accept(from: "127.0.0.1") == .admitted)
    }

    @Test func theTotalIsCheckedBeforeTheAddress() {
        var limits = ConnectionLimits(maxConnections: 1, maxPerAddress: 1, maxPerPeer: 1)
        #expect(limits.accept(from: "a") == .admitted)
        #expect(limits.accept(from: "a") == .refused(.tooManyConnections(limit: 1)))
    }

    @Test func countsEachAuthenticatedPeerSeparately() {
        var limits = ConnectionLimits(maxConnections: 100, maxPerAddress: 100, maxPerPeer: 2)
        for _ in 0..<5 { _ = limits.accept(from: "a") }
        #expect(limits.authenticated(alice) == nil)
        #expect(limits.authenticated(alice) == nil)
        #expect(limits.authenticated(alice) == .tooManyFromPeer(limit: 2))
        #expect(limits.authenticated(bob) == nil)
        #expect(limits.connections(of: alice) == 2)
        // The refused one closes without a peer; one of alice's closes with hers.
        limits.closed(from: "a", peer: nil)
        limits.closed(from: "a", peer: alice)
        #expect(limits.connections(of: alice) == 1)
        #expect(limits.authenticated(alice) == nil)
    }

    @Test func refusalsBeingToldAreBoundedThenDroppedWithoutAWord() {
        var limits = ConnectionLimits(maxConnections: 1, maxPerAddress: 1, maxPerPeer: 1, maxRefusing: 2)
        #expect(limits.accept(from: "a") == .admitted)
        #expect(limits.accept(from: "a") == .refused(.tooManyConnections(limit: 1)))
        #expect(limits.accept(from: "b") == .refused(.tooManyConnections(limit: 1)))
        #expect(limits.accept(from: "c") == .dropped)
        limits.refusalClosed()
        #expect(limits.accept(from: "c") == .refused(.tooManyConnections(limit: 1)))
    }

    @Test func closingEverythingLeavesNothingCounted() {
        var limits = ConnectionLimits(maxConnections: 1000, maxPerAddress: 1000, maxPerPeer: 1000)
        var open: [(String, PeerID?)] = []
        for index in 0..<300 {
            let address = "10.0.\(index % 7).1"
            #expect(limits.accept(from: address) == .admitted)
            let peer = index % 3 == 0 ? nil : (index % 2 == 0 ? alice : bob)
            if let peer { #expect(limits.authenticated(peer) == nil) }
            open.append((address, peer))
        }
        #expect(limits.total == 300)
        for (address, peer) in open { limits.closed(from: address, peer: peer) }
        #expect(limits.isEmpty)
    }

    @Test func defaultsComeFromTheNetworkConfiguration() {
        let limits = ConnectionLimits(NetConfiguration())
        #expect(limits.maxConnections == 4096)
        #expect(limits.maxPerAddress == 512)
        #expect(limits.maxPerPeer == 64)
    }

    @Test func invalidLimitsAreNamed() {
        var configuration = NetConfiguration()
        configuration.maxConnectionsPerPeer = 0
        #expect(throws: NetError.invalidConfiguration("maxConnectionsPerPeer must be at least 1, it is 0")) {
            try configuration.validate()
        }
        configuration = NetConfiguration(idleTimeout: .zero)
        #expect(throws: NetError.invalidConfiguration("idleTimeout must be positive, it is 0.0 seconds")) {
            try configuration.validate()
        }
    }
}
