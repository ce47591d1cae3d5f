/* The rot13 capability plugin: a PeerGrid plugin written in C against grid_plugin.h alone. */
#ifndef GRID_ROT13_PLUGIN_H
#define GRID_ROT13_PLUGIN_H

#include "grid_plugin.h"

/** Returns the plugin's descriptor; the host finds it by this name with dlsym. */
const grid_plugin *grid_plugin_entry(void);

#endif /* GRID_ROT13_PLUGIN_H */
