/* The ABI is header-only; this file gives the C target a translation unit. */
#include "grid_plugin.h"
