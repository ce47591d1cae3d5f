/* The crc32 benchmark fixture exports only grid_plugin_entry (declared in grid_plugin.h). */
#include "grid_plugin.h"
const grid_plugin *grid_plugin_entry(void);
