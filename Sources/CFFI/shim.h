#ifndef GRID_CFFI_SHIM_H
#define GRID_CFFI_SHIM_H
/* libffi's header lives only under the multiarch include folder on Debian
   (/usr/include/x86_64-linux-gnu/ffi.h), which the compiler searches by default. */
#include <ffi.h>

/* Swift 6 rejects direct use of mutable C globals such as ffi_type_double; these accessors
   hand out their addresses instead. */
static inline ffi_type *grid_ffi_type_void(void) { return &ffi_type_void; }
static inline ffi_type *grid_ffi_type_sint8(void) { return &ffi_type_sint8; }
static inline ffi_type *grid_ffi_type_uint8(void) { return &ffi_type_uint8; }
static inline ffi_type *grid_ffi_type_sint16(void) { return &ffi_type_sint16; }
static inline ffi_type *grid_ffi_type_uint16(void) { return &ffi_type_uint16; }
static inline ffi_type *grid_ffi_type_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *grid_ffi_type_uint32(void) { return &ffi_type_uint32; }
static inline ffi_type *grid_ffi_type_sint64(void) { return &ffi_type_sint64; }
static inline ffi_type *grid_ffi_type_uint64(void) { return &ffi_type_uint64; }
static inline ffi_type *grid_ffi_type_float(void) { return &ffi_type_float; }
static inline ffi_type *grid_ffi_type_double(void) { return &ffi_type_double; }
static inline ffi_type *grid_ffi_type_pointer(void) { return &ffi_type_pointer; }

/* The platform's default calling convention, a macro-defined enum value in ffitarget.h. */
static inline ffi_abi grid_ffi_default_abi(void) { return FFI_DEFAULT_ABI; }

/* Size of ffi_arg: integer results narrower than this are widened to it by ffi_call. */
static inline size_t grid_ffi_arg_size(void) { return sizeof(ffi_arg); }
#endif
