import { connect } from '../../../src/client/index.js';

/**
 * MQTT 5 request/response: a responder answers on the request's response
 * topic, echoing its correlation data; the requester waits for it.
 */
export async function requestResponse(host: string, port: number): Promise<string> {
  const responder = await connect({ host, port, protocolVersion: 5 });
  responder.on('message', ({ payload, properties }) => {
    if (!properties?.responseTopic) return;
    const answer = `sum=${payload
      .toString()
      .split('+')
      .map(Number)
      .reduce((a, b) => a + b)}`;
    responder.publish(properties.responseTopic, answer, {
      properties: { correlationData: properties.correlationData },
    });
  });
  await responder.subscribe('calc/add');

  const requester = await connect({ host, port, protocolVersion: 5 });
  const replyTopic = `calc/reply/${requester.clientId}`;
  const reply = new Promise<string>((resolve) => {
    requester.on('message', ({ payload, properties }) => {
      if (properties?.correlationData?.toString() === 'req-1')
        resolve(payload.toString());
    });
  });
  await requester.subscribe(replyTopic);
  await requester.publish('calc/add', '2+3', {
    qos: 1,
    properties: { responseTopic: replyTopic, correlationData: Buffer.from('req-1') },
  });
  const answer = await reply;
  await Promise.all([requester.disconnect(), responder.disconnect()]);
  return answer;
}
