// Helpers shared by the end-to-end tests: signing and submitting a
// transaction, finding an event, and a local HTTP price source.

import { createServer } from 'node:http';

import { freePort } from './node.mjs';

/** Signs and submits `tx`, resolving with the events of its inclusion. */
export function submit(api, tx, signer) {
  return new Promise((resolve, reject) => {
    let unsub;
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        if (unsub) unsub();
        const detail = dispatchError.isModule
          ? (({ section, name }) => `${section}.${name}`)(api.registry.findMetaError(dispatchError.asModule))
          : dispatchError.toString();
        reject(new Error(`extrinsic failed: ${detail}`));
      } else if (status.isInBlock) {
        if (unsub) unsub();
        resolve({ blockHash: status.asInBlock, events });
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        if (unsub) unsub();
        reject(new Error(`extrinsic ${status.type}`));
      }
    }).then((u) => { unsub = u; }, reject);
  });
}

/** The first `section.method` event of `events`. */
export function findEvent(events, section, method) {
  return events.map(({ event }) => event).find((e) => e.section === section && e.method === method);
}

/** A price source in Backstop's JSON format whose prices the test sets. */
export async function startSource(prices) {
  const port = await freePort();
  const state = { prices, requests: 0 };
  const server = createServer((req, res) => {
    state.requests += 1;
    if (req.url !== '/prices') {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.stringify({
      prices: Object.entries(state.prices).map(([asset, price]) => ({ asset: Number(asset), price })),
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/prices`, state, close: () => new Promise((r) => server.close(r)) };
}
