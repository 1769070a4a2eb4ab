/**
 * glibc's strerror() wording for the errno names Node reports, so that
 * midge's lines read as Mosquitto's ("Error: Address already in use").
 * Shared by the listeners, the bridges, the client tools and midge_passwd.
 */
const texts: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ETIMEDOUT: 'Connection timed out',
  ENOTSOCK: 'Socket operation on non-socket',
  EPIPE: 'Broken pipe',
  EINVAL: 'Invalid argument',
  ENOTDIR: 'Not a directory',
  ECONNABORTED: 'Software caused connection abort',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  ELOOP: 'Too many levels of symbolic links',
};

/** strerror() text for a Node system error code, if it is one we know. */
export function errnoText(code: string | undefined): string | undefined {
  return code === undefined ? undefined : texts[code];
}
