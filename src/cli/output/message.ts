/** A received message, as the output functions need it. */
import type { Properties } from '../../protocol/index.js';

export interface OutputMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** Packet identifier; 0 for QoS 0. */
  mid: number;
  /** MQTT 5 properties in the order they arrived; absent for 3.x. */
  properties?: Properties;
}

/** True if the message carried at least one property. */
export function hasProperties(props: Properties | undefined): props is Properties {
  if (!props) return false;
  for (const key in props) {
    if (props[key as keyof Properties] !== undefined) return true;
  }
  return false;
}
