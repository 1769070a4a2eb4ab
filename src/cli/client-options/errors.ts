/**
 * A bad option set. `text` is exactly what Mosquitto's tool writes to
 * stderr before its "Use '... --help' to see usage." line, trailing blank
 * lines included (some messages end in one newline, some in two, and
 * midge keeps each as it is). An empty text is a failure Mosquitto does
 * not explain, or one `--quiet` silenced.
 */
export class OptionError extends Error {
  constructor(readonly text: string) {
    super(text.trim() || 'invalid options');
    this.name = 'OptionError';
  }
}

/** Throws the message as given (Mosquitto's fprintf to stderr). */
export function fail(text: string): never {
  throw new OptionError(text);
}

/** Throws the message unless --quiet was given earlier (Mosquitto's err_printf). */
export function failUnlessQuiet(quiet: boolean, text: string): never {
  throw new OptionError(quiet ? '' : text);
}
