/**
 * Imports every module that registers a built-in plugin (see ./builtin.ts),
 * so that loading the plugin layer makes them all available. A module
 * providing one adds its import line here. Imported on first use of a
 * built-in name, not at start-up, so brokers without one pay nothing.
 */
import '../dynsec/plugin.js';
