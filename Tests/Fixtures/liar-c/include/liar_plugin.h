/* The liar test plugin exports only `grid_plugin_entry` (declared in grid_plugin.h). */
#include "grid_plugin.h"
