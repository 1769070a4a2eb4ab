/**
 * Plain counters the broker increments as it works; the $SYS publisher
 * reads them on its own schedule. Integer increments only, so keeping them
 * costs nothing on the hot path.
 */
export class BrokerStats {
  /** Clients with an open, accepted connection. */
  clientsConnected = 0;
  /** Sessions known: connected plus disconnected persistent ones. */
  clientsTotal = 0;
  /** Highest `clientsTotal` seen. */
  clientsMaximum = 0;
  /** Persistent sessions removed because they expired. */
  clientsExpired = 0;
  /** Network connections accepted (the `sockets` load figure). */
  socketsAccepted = 0;
  /** CONNECT packets handled (the `connections` load figure). */
  connectPackets = 0;
  /** Every MQTT packet received, of any type. */
  messagesReceived = 0;
  /** Every MQTT packet sent, of any type. */
  messagesSent = 0;
  publishReceived = 0;
  publishSent = 0;
  /** PUBLISH messages dropped: queue limits, QoS 0 to a slow client. */
  publishDropped = 0;
  bytesReceived = 0;
  bytesSent = 0;
  /** Payload bytes of PUBLISH packets received / sent. */
  publishBytesReceived = 0;
  publishBytesSent = 0;
  retainedCount = 0;
  subscriptionsCount = 0;
  sharedSubscriptionsCount = 0;
  /** Messages held for clients (queued or in flight) plus retained ones. */
  messagesStored = 0;
  /** Payload bytes of the messages counted in `messagesStored`. */
  messagesStoredBytes = 0;

  /** Records a change in the number of known sessions. */
  setClientsTotal(total: number): void {
    this.clientsTotal = total;
    if (total > this.clientsMaximum) this.clientsMaximum = total;
  }
}
