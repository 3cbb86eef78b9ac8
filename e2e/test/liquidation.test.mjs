// A price crash on a dev node liquidates the leveraged accounts by itself:
// the node feeds prices from a local HTTP source, two accounts open 10x
// longs on BTC, the source drops BTC by 9%, and the margin pallet's sweep in
// `on_initialize` liquidates both with no `liquidate` transaction from
// anyone. (The dev node's keeper runs too, but it only names accounts the
// next block's sweep is not sure to reach: here there are none.)

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startSource, submit } from './helpers.mjs';
import { DevNode, withNode } from './node.mjs';

const WAD = 10n ** 18n; // FixedU128
const DOLLARS = 10n ** 6n; // settlement stablecoin, 6 decimals

/** Polls until BTC is live at `dollars` in the oracle. */
async function waitForBtc(api, node, dollars) {
  const wanted = BigInt(dollars) * WAD;
  let last = null;
  for (let i = 0; i < 60; i += 1) {
    const all = await withNode(node, api.call.oracleApi.allPrices(), 'the oracle API', 10_000);
    last = all.find((p) => p.asset.toNumber() === 0);
    if (last && last.status.isLive && last.info.unwrap().price.toBigInt() === wanted) return;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  assert.fail(`BTC never live at ${dollars}; last ${JSON.stringify(last && last.toHuman())}`);
}

describe('liquidation on a price crash', { timeout: 300_000 }, () => {
  let node;
  let api;
  let source;
  let longs;

  before(async () => {
    await cryptoWaitReady();
    source = await startSource({ 0: '65000', 1: '3200' });
    node = await DevNode.start(['--price-source', source.url]);
    api = await withNode(node, ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true }),
      'the API to connect', 60_000);
    const keyring = new Keyring({ type: 'sr25519' });
    longs = [keyring.addFromUri('//Ferdie'), keyring.addFromUri('//Dave')];
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.stop();
    if (source) await source.close();
  });

  it('liquidates the 10x longs with no liquidate transaction', async () => {
    await waitForBtc(api, node, 65_000);
    // 1,000 dollars against 0.15 BTC (9,750 dollars): 10x.
    const limit = 70_000n * WAD;
    for (const who of longs) {
      await withNode(node, submit(api, api.tx.margin.deposit(1_000n * DOLLARS), who), 'a deposit', 60_000);
      await withNode(node, submit(api, api.tx.margin.trade(0, 150_000n, limit), who), 'a long', 60_000);
      const health = (await api.call.marginApi.accountHealth(who.address)).asOk;
      assert.equal(health.liquidatable.isTrue, false);
    }
    const first = (await api.rpc.chain.getHeader()).number.toNumber();

    // A 9% fall: each long loses about 900 dollars, well below its
    // maintenance requirement (3%, about 265 dollars).
    source.state.prices = { 0: '59150', 1: '3200' };
    const liquidated = new Map();
    const unsub = await api.query.system.events((records) => {
      for (const { event } of records) {
        if (event.section === 'margin' && event.method === 'Liquidated') {
          const [who, liquidator] = event.data;
          liquidated.set(who.toString(), liquidator.isNone);
        }
      }
    });
    try {
      for (let i = 0; i < 90 && !longs.every((who) => liquidated.has(who.address)); i += 1) {
        await withNode(node, new Promise((r) => setTimeout(r, 1_000)), 'the liquidations', 5_000);
      }
    } finally {
      unsub();
    }
    for (const who of longs) {
      assert.ok(liquidated.has(who.address), `${who.address} was not liquidated`);
      assert.equal(liquidated.get(who.address), true, 'the liquidation had a liquidator');
      const health = (await api.call.marginApi.accountHealth(who.address)).asOk;
      assert.equal(health.liquidatable.isTrue, false);
      assert.ok(health.positions.length === 0 || health.equity.toBigInt() > 0n);
    }
    // Nobody signed a liquidation: no block since the trades holds one.
    const last = (await api.rpc.chain.getHeader()).number.toNumber();
    for (let n = first; n <= last; n += 1) {
      const block = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(n));
      for (const xt of block.block.extrinsics) {
        assert.ok(!(xt.method.section === 'margin' && xt.method.method.startsWith('liquidate')),
          `block ${n} has a margin.${xt.method.method}`);
      }
    }
  });
});
