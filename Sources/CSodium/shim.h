#ifndef GRID_CSODIUM_SHIM_H
#define GRID_CSODIUM_SHIM_H
#include <sodium.h>
#endif
