import GridCore
import Logging
import NIOCore

/// Runs the handshake on the event loop, then encrypts outgoing and decrypts incoming frames.
///
/// Below it sit the frame decoder and encoder. Outgoing application messages are written to the channel in
/// plaintext and sealed here; because sealing happens on the event loop in write order, concurrent senders can
/// never reorder nonces. Decrypted messages go to `inbound`, which pauses socket reads while its reader lags.
/// Any failure closes the connection: during the handshake it completes `established`; afterwards it is logged
/// and ends `inbound` with the error, so `receive()` throws it.
///
/// A frame begun and not finished within `frameTimeout` fails the connection too; once established, the peer is
/// first told why by a `farewell` message when the listener gave one.
final class SecureChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case handshaking(Handshake)
        case established(FrameCipher)
        case closed
    }

    private var state: State
    private let established: EventLoopPromise<PeerID>
    private let inbound: InboundQueue
    /// The frame decoder's limit, lifted from handshake size to `maxFrameSize` once the handshake succeeds.
    private let frameLimit: FrameLimit
    /// A `read` held back because `inbound` was full.
    private var readPending = false
    private var promiseCompleted = false
    private let handshakeTimeout: Duration
    private let maxFrameSize: Int
    private let frameTimeout: Duration
    private let closeTimeout: Duration
    /// Encodes, in the application's protocol, why the connection is being dropped (see `GridListener.bind`).
    private let farewell: (@Sendable (String) -> [UInt8])?
    private var logger: Logger
    private var timeoutTask: Scheduled<Void>?
    /// The deadline of the frame being received, when it did not arrive whole.
    private var frameDeadline: Scheduled<Void>?
    /// A listener's idle limit (nil on connectors), and the periodic check that enforces it once established.
    private let idleTimeout: Duration?
    private var idleCheck: RepeatedTask?
    private var started = false
    /// The message written just before a failure in the same batch (a reject), flushed before closing.
    private var lastHandshakeWrite: EventLoopFuture<Void>?

    init(handshake: Handshake, established: EventLoopPromise<PeerID>, inbound: InboundQueue, frameLimit: FrameLimit,
         configuration: NetConfiguration, farewell: (@Sendable (String) -> [UInt8])? = nil,
         idleTimeout: Duration? = nil, logger: Logger) {
        self.state = .handshaking(handshake)
        self.established = established
        self.inbound = inbound
        self.frameLimit = frameLimit
        self.handshakeTimeout = configuration.handshakeTimeout
        self.maxFrameSize = configuration.maxFrameSize
        self.frameTimeout = configuration.frameTimeout
        self.closeTimeout = configuration.closeTimeout
        self.farewell = farewell
        self.idleTimeout = idleTimeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        inbound.setResumeReading {
            bound.eventLoop.execute {
                let (handler, context) = bound.value
                handler.resumeReading(context: context)
            }
        }
        frameLimit.onFrameBegun = { [unowned self] frame in
            self.frameBegun(frame, context: context)
        }
        if context.channel.isActive {
            start(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeoutTask?.cancel()
        timeoutTask = nil
        frameDeadline?.cancel()
        frameDeadline = nil
        idleCheck?.cancel()
        idleCheck = nil
        frameLimit.onFrameBegun = nil
        completeHandshake(.failure(NetError.closedDuringHandshake))
        inbound.finish()
        inbound.setResumeReading(nil)
        state = .closed
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeoutTask?.cancel()
        timeoutTask = nil
        frameDeadline?.cancel()
        frameDeadline = nil
        idleCheck?.cancel()
        idleCheck = nil
        if case .handshaking = state {
            completeHandshake(.failure(NetError.closedDuringHandshake))
        }
        state = .closed
        inbound.finish()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch state {
        case .handshaking(var handshake):
            let actions = handshake.receive(Array(frame.readableBytesView))
            state = .handshaking(handshake)
            perform(actions, context: context)
        case .established(var cipher):
            do {
                let plaintext = try cipher.open(Array(frame.readableBytesView))
                state = .established(cipher)
                inbound.push(plaintext)
            } catch {
                fail(error, context: context)
            }
        case .closed:
            break
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let plaintext = unwrapOutboundIn(data)
        switch state {
        case .established(var cipher):
            let frameSize = plaintext.readableBytes + FrameCipher.tagLength
            guard frameSize <= maxFrameSize else {
                promise?.fail(NetError.frameTooLarge(size: frameSize, max: maxFrameSize))
                return
            }
            do {
                let sealed = try cipher.seal(Array(plaintext.readableBytesView))
                state = .established(cipher)
                context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: sealed)), promise: promise)
            } catch {
                promise?.fail(error)
                fail(error, context: context)
            }
        case .handshaking:
            promise?.fail(NetError.notEstablished)
        case .closed:
            promise?.fail(NetError.connectionClosed)
        }
    }

    func read(context: ChannelHandlerContext) {
        if case .established = state, inbound.pauseReadingIfFull() {
            readPending = true
            return
        }
        context.read()
    }

    private func resumeReading(context: ChannelHandlerContext) {
        guard readPending else { return }
        readPending = false
        context.read()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let netError: NetError
        switch error {
        case let error as NetError:
            netError = error
        case ByteToMessageDecoderError.leftoverDataWhenDone:
            netError = NetError.truncatedFrame
        default:
            netError = NetError.connectionLost(String(describing: error))
        }
        fail(netError, context: context)
    }

    // MARK: Frame deadline

    private func frameBegun(_ frame: UInt64, context: ChannelHandlerContext) {
        frameDeadline?.cancel()
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        frameDeadline = context.eventLoop.scheduleTask(in: TimeAmount(frameTimeout)) {
            let (handler, context) = bound.value
            handler.frameDeadline = nil
            guard handler.frameLimit.isUnfinished(frame) else { return }
            handler.fail(NetError.frameTimedOut(handler.frameTimeout), context: context, tellPeer: true)
        }
    }

    // MARK: Idle timeout

    /// Checks a few times per `idleTimeout` whether the application has waited in `receive()` for that long.
    private func startIdleCheck(context: ChannelHandlerContext) {
        guard let idleTimeout else { return }
        let period = TimeAmount(max(idleTimeout / 4, .milliseconds(10)))
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
            let (handler, context) = bound.value
            handler.checkIdle(context: context)
        }
    }

    private func checkIdle(context: ChannelHandlerContext) {
        guard case .established = state, let idleTimeout, let waited = inbound.waitingFor(), waited >= idleTimeout
        else { return }
        fail(NetError.idleTimedOut(idleTimeout), context: context, tellPeer: true)
    }

    // MARK: Handshake

    private func start(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timeoutTask = context.eventLoop.scheduleTask(in: TimeAmount(handshakeTimeout)) {
            let (handler, context) = bound.value
            handler.handshakeTimedOut(context: context)
        }
        guard case .handshaking(var handshake) = state else { return }
        let actions = handshake.start()
        state = .handshaking(handshake)
        perform(actions, context: context)
    }

    private func handshakeTimedOut(context: ChannelHandlerContext) {
        guard case .handshaking = state else { return }
        fail(NetError.handshakeTimedOut(handshakeTimeout), context: context)
    }

    private func perform(_ actions: [Handshake.Action], context: ChannelHandlerContext) {
        defer { lastHandshakeWrite = nil }
        for action in actions {
            switch action {
            case .send(let message):
                lastHandshakeWrite = context.writeAndFlush(
                    wrapOutboundOut(context.channel.allocator.buffer(bytes: message)))
            case .established(let session):
                timeoutTask?.cancel()
                timeoutTask = nil
                lastHandshakeWrite = nil
                state = .established(FrameCipher(keys: session.keys))
                frameLimit.handshakeFinished()
                startIdleCheck(context: context)
                logger[metadataKey: "grid.net.peer"] = "\(session.remotePeer.short)"
                completeHandshake(.success(session.remotePeer))
            case .fail(let error):
                fail(error, context: context)
                return
            }
        }
    }

    private func completeHandshake(_ result: Result<PeerID, NetError>) {
        guard !promiseCompleted else { return }
        promiseCompleted = true
        switch result {
        case .success(let peer): established.succeed(peer)
        case .failure(let error): established.fail(error)
        }
    }

    // MARK: Failure

    /// Closes the connection for `error`, once; later failures of a closing connection are dropped.
    ///
    /// With `tellPeer`, an established connection first sends the listener's farewell naming the error, and closes
    /// once it is written (or after `closeTimeout` if the peer does not read).
    private func fail(_ error: NetError, context: ChannelHandlerContext, tellPeer: Bool = false) {
        switch state {
        case .handshaking:
            state = .closed
            timeoutTask?.cancel()
            timeoutTask = nil
            completeHandshake(.failure(error))
            if let lastHandshakeWrite {
                // Let a reject message reach the peer before closing.
                lastHandshakeWrite.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
        case .established(var cipher):
            state = .closed
            frameDeadline?.cancel()
            frameDeadline = nil
            idleCheck?.cancel()
            idleCheck = nil
            logger.info("Closing connection", metadata: ["grid.net.reason": "\(error)"])
            inbound.finish(error)
            guard tellPeer, let farewell, let sealed = try? cipher.seal(farewell(error.description)) else {
                context.close(promise: nil)
                return
            }
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let backstop = context.eventLoop.scheduleTask(in: TimeAmount(closeTimeout)) {
                bound.value.close(promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: sealed)))
                .assumeIsolated().whenComplete { _ in
                    backstop.cancel()
                    context.close(promise: nil)
                }
        case .closed:
            break
        }
    }
}
