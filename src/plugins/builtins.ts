/**
 * Imports every module that registers a built-in plugin (see ./builtin.ts),
 * so that loading the plugin layer makes them all available. A module
 * providing one adds its import line here.
 */
// LIMIT(feature): dynamic security (src/dynsec) is not registered yet; a
// config naming mosquitto_dynamic_security.so is refused until it is.
export {};
