/**
 * The option descriptions of --help, as data: one entry per flag, the
 * first element on the flag's line, the rest as continuation lines.
 * Where the tools differ, the tool's own entry wins over the shared one.
 */
import type { ToolKind } from './config.js';

export type HelpLines = readonly string[];

export const sharedEntries: Record<string, HelpLines> = {
  '-A': [
    'local address to bind the outgoing socket to, which chooses the network',
    'interface the connection uses.',
  ],
  '-c': [
    'ask for a persistent session (clean session / clean start off).',
    'The broker then keeps the session of this client id while the client is away,',
    'and the session never expires unless MQTT v5 clients set an expiry interval',
    'with -x.',
  ],
  '-d': ['print debug messages.'],
  '-D': ['add an MQTT v5 property to a packet. See docs/tools.md for the list.'],
  '-f': ['send the whole content of a file as the message.'],
  '-F': ['print each message in this format. See docs/tools.md for the codes.'],
  '-h': ['host name or address of the broker. Default: localhost.'],
  '-i': ['client id. Default: none, so the broker assigns one (MQTT v3.1: a random id).'],
  '-I': [
    'client id made of id_prefix followed by the process id, for brokers',
    'that check clientid_prefixes.',
  ],
  '-k': ['keepalive interval in seconds. Default: 60.'],
  '-L': [
    'user, password, host, port and topic given as one URL:',
    'mqtt(s)://[username[:password]@]host[:port]/topic',
    'ws(s)://[username[:password]@]host[:port]/topic',
  ],
  '-m': ['the message payload.'],
  '-n': ['send a null (zero length) message.'],
  '-N': ['print no end of line after each message.'],
  '-o': [
    'read default options from this file instead of ~/.config/midge_<tool>.',
    'See the options file section of docs/tools.md.',
  ],
  '-p': ['port of the broker. Default: 1883, or 8883 with TLS.'],
  '-P': ['password.'],
  '-R': ['skip stale messages (those that arrive with the retain flag set).'],
  '-s': ['read stdin to its end and send it all as one message.'],
  '-S': ['find the broker through a DNS SRV lookup of the host name.'],
  '-u': ['user name.'],
  '-V': [
    'MQTT version to connect with: mqttv5, mqttv311 or mqttv31.',
    'Default: mqttv311.',
  ],
  '-x': [
    'session-expiry-interval to send in CONNECT, for MQTT v5 clients only.',
    'From 0 to 4294967294 seconds after the client disconnects, or -1,',
    '4294967295 or ∞ for a session that never expires.',
    'Default: -1 with -c, else 0.',
  ],
  '--help': ['show this help.'],
  '--nodelay': [
    "turn Nagle's algorithm off: messages leave sooner, at the cost of",
    'possibly more packets.',
  ],
  '--pretty': ['indent JSON output (%j and %J) over several lines.'],
  '--quiet': ['do not print error messages.'],
  '--unix': [
    'connect through this Unix domain socket instead of TCP,',
    'e.g. /tmp/mosquitto.sock',
  ],
  '--will-payload': [
    'payload of the will, the message the broker publishes when the client',
    'goes away without disconnecting. Default: an empty message when',
    '--will-topic is given.',
  ],
  '--will-qos': ['QoS of the will.'],
  '--will-retain': ['make the will a retained message.'],
  '--will-topic': ['topic of the will.'],
  '--ws': ['connect over WebSockets.'],
  '--no-tls': ['do not use TLS, even where port 8883 or an mqtts:// URL asks for it.'],
  '--cafile': ['file of trusted CA certificates; turns TLS on.'],
  '--capath': ['folder of trusted CA certificates; turns TLS on.'],
  '--cert': ['client certificate, for brokers that ask for one.'],
  '--key': ['private key of the client certificate.'],
  '--keyform': ['format of the key file: "pem" or "engine".'],
  '--ciphers': ['OpenSSL list of the TLS ciphers to offer.'],
  '--tls-version': [
    'TLS version to use: tlsv1.3, tlsv1.2 or tlsv1.1.',
    'Default: tlsv1.2 and above.',
  ],
  '--insecure': [
    "skip the check that the broker's certificate is for the host name",
    'connected to. Anyone who can intercept the connection could then pass',
    'for the broker.',
    'Never use this option in production.',
  ],
  '--tls-engine': ['OpenSSL engine to use for TLS.'],
  '--tls-engine-kpass-sha1': ['SHA1 of the key password, given to the TLS engine.'],
  '--tls-use-os-certs': ["trust the operating system's CA certificates."],
  '--psk': ['pre-shared key in hexadecimal (without 0x), for TLS-PSK.'],
  '--psk-identity': ['client identity for TLS-PSK.'],
  '--proxy': [
    'SOCKS5 proxy to connect through, given as a URL:',
    'socks5h://[username[:password]@]hostname[:port]',
    'Only "none" and "username" authentication are available.',
  ],
};

export const toolEntries: Record<ToolKind, Record<string, HelpLines>> = {
  pub: {
    '-l': ['read stdin and send each line as a message of its own.'],
    '-M': ['how many QoS 1 and 2 messages may be in flight at once. Default: 20.'],
    '-q': ['QoS of the messages sent. Default: 0.'],
    '-r': ['publish the message as retained.'],
    '-t': ['topic to publish to.'],
    '--repeat': ['with -f, -m, -n or -s, publish the message N times.'],
    '--repeat-delay': ['with --repeat, seconds to wait between publishes. Default: 0.'],
  },
  sub: {
    '-C': ['disconnect and exit once msg_count messages have arrived.'],
    '-E': ['disconnect and exit as soon as the broker acknowledges the subscriptions.'],
    '-q': ['QoS of the subscriptions. Default: 0.'],
    '-t': ['topic filter to subscribe to. May be given several times.'],
    '-T': ['do not print messages whose topic matches this filter. May be repeated.'],
    '-U': ['unsubscribe from this topic filter. May be repeated.'],
    '-v': ['print the topic before each message.'],
    '-W': ['stop waiting for messages after this many seconds.'],
    '--random-filter': [
      'print only part of the messages, chosen at random. The scale is',
      "Mosquitto's: the chance is the value out of 1000, so 500 prints about",
      'half the messages and 1000 all of them.',
    ],
    '--retained-only': [
      'print only retained messages, and exit at the first message that is',
      'not retained.',
    ],
    '--remove-retained': [
      'clear each retained message received, by publishing an empty retained',
      'message to its topic. Topics filtered out with -T are left alone.',
    ],
  },
  rr: {
    '-e': [
      'response topic: subscribed to, and named in the request, to wait for the reply.',
    ],
    '-q': ['QoS of the request and of the subscription. Default: 0.'],
    '-t': ['topic to send the request to.'],
    '-v': ['print the topic before the response.'],
    '-V': [
      'MQTT version to connect with: mqttv5, mqttv311 or mqttv31.',
      'Default: mqttv5.',
    ],
    '-W': ['stop waiting for the response after this many seconds.'],
  },
};
