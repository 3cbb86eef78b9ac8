// Governance on a dev node through @polkadot/api: a referendum on the risk
// track changes a margin parameter (preimage, submission, decision deposit,
// conviction votes, confirmation, enactment), and a council motion halts a
// market at once.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';

import { findEvent, submit } from './helpers.mjs';
import { DevNode, withNode } from './node.mjs';

const UNITS = 10n ** 12n; // native token, 12 decimals
const BTC_PERP = 0;
const ETH_PERP = 1;

/** Resolves with the first value of `read()` that satisfies `done`, checked at every new block. */
function untilBlock(api, read, done) {
  return new Promise((resolve, reject) => {
    let unsub;
    let finished = false;
    api.rpc.chain.subscribeNewHeads(async (header) => {
      if (finished) return;
      try {
        const value = await read(header);
        if (done(value) && !finished) {
          finished = true;
          if (unsub) unsub();
          resolve({ value, block: header.number.toNumber() });
        }
      } catch (e) {
        finished = true;
        if (unsub) unsub();
        reject(e);
      }
    }).then((u) => { unsub = u; if (finished) u(); }, reject);
  });
}

describe('governance on the dev chain', { timeout: 420_000 }, () => {
  let node;
  let api;
  let alice;
  let bob;

  before(async () => {
    await cryptoWaitReady();
    node = await DevNode.start();
    api = await withNode(node, ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true }),
      'the API to connect', 60_000);
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  it('changes a margin parameter by a referendum on the risk track', async () => {
    const before = (await api.query.margin.stressMoves(BTC_PERP)).toNumber();
    const target = before + Math.floor(before / 10); // a bounded tightening
    const call = api.tx.margin.setStressMove(BTC_PERP, target);
    const encoded = call.method.toHex();
    const hash = blake2AsHex(encoded);
    const len = call.method.encodedLength;

    // 1. Note the preimage.
    await withNode(node, submit(api, api.tx.preimage.notePreimage(encoded), alice), 'the preimage', 60_000);
    // 2. Submit on the risk track (the `RiskAdmin` origin), enacted as soon as allowed.
    const index = (await api.query.referenda.referendumCount()).toNumber();
    const { events } = await withNode(node, submit(api,
      api.tx.referenda.submit({ Origins: 'RiskAdmin' }, { Lookup: { hash, len } }, { After: 0 }), alice),
    'the submission', 60_000);
    const submitted = findEvent(events, 'referenda', 'Submitted');
    assert.ok(submitted, 'a Submitted event');
    assert.equal(submitted.data.track.toNumber(), 1, 'the risk track');
    // 3. The decision deposit, and 4. conviction votes (locked 1x, 900,000 BKS each).
    await withNode(node, submit(api, api.tx.referenda.placeDecisionDeposit(index), alice), 'the deposit', 60_000);
    const vote = { Standard: { vote: { aye: true, conviction: 'Locked1x' }, balance: 900_000n * UNITS } };
    await withNode(node, submit(api, api.tx.convictionVoting.vote(index, vote), alice), 'Alice\'s vote', 60_000);
    await withNode(node, submit(api, api.tx.convictionVoting.vote(index, vote), bob), 'Bob\'s vote', 60_000);

    // The runtime API lists it with its decoded call.
    const open = (await api.call.governanceApi.referenda()).toJSON();
    assert.equal(open.length, 1);
    assert.equal(open[0].index, index);
    assert.equal(open[0].track, 1);

    // 5. Confirmation: approved after the confirm period.
    const approved = await withNode(node, untilBlock(api,
      async () => (await api.query.referenda.referendumInfoFor(index)).unwrap(),
      (info) => info.isApproved), 'the approval', 180_000);
    // Time-locked: the parameter has not moved yet, and the change is pending.
    const pending = (await api.call.governanceApi.pendingChanges()).toJSON();
    const enactment = pending.find((c) => c.referendum === index);
    assert.ok(enactment, `the enactment is pending: ${JSON.stringify(pending)}`);
    assert.ok(enactment.when > approved.block, 'enacted after the approval');
    assert.equal((await api.query.margin.stressMoves(BTC_PERP)).toNumber(), before);
    // 6. Enactment: the new value.
    const enacted = await withNode(node, untilBlock(api,
      async () => (await api.query.margin.stressMoves(BTC_PERP)).toNumber(),
      (v) => v === target), 'the enactment', 120_000);
    assert.ok(enacted.block >= enactment.when, 'enacted when scheduled, not before');
  });

  it('halts a market at once by a council motion', async () => {
    const call = api.tx.margin.setMarketStatus(ETH_PERP, 'Halted');
    const len = call.method.encodedLength;
    const hash = call.method.hash.toHex();
    const proposalIndex = (await api.query.council.proposalCount()).toNumber();
    await withNode(node, submit(api, api.tx.council.propose(2, call, len), alice), 'the motion', 60_000);
    await withNode(node, submit(api, api.tx.council.vote(hash, proposalIndex, true), alice), 'Alice\'s aye', 60_000);
    await withNode(node, submit(api, api.tx.council.vote(hash, proposalIndex, true), bob), 'Bob\'s aye', 60_000);
    const weight = (await api.call.transactionPaymentCallApi.queryCallInfo(call, len)).weight;
    const { events } = await withNode(node,
      submit(api, api.tx.council.close(hash, proposalIndex, weight, len), alice), 'the close', 60_000);
    const executed = findEvent(events, 'council', 'Executed');
    assert.ok(executed, 'the motion was executed');
    assert.ok(executed.data.result.isOk, `the halt succeeded: ${executed.data.result.toString()}`);
    const market = (await api.query.margin.markets(ETH_PERP)).unwrap();
    assert.equal(market.status.toString(), 'Halted');

    // The council cannot reopen it: reopening is a loosening.
    const reopen = api.tx.margin.setMarketStatus(ETH_PERP, 'Active');
    const reopenLen = reopen.method.encodedLength;
    const reopenHash = reopen.method.hash.toHex();
    const next = proposalIndex + 1;
    await withNode(node, submit(api, api.tx.council.propose(2, reopen, reopenLen), alice), 'the motion', 60_000);
    await withNode(node, submit(api, api.tx.council.vote(reopenHash, next, true), alice), 'Alice\'s aye', 60_000);
    await withNode(node, submit(api, api.tx.council.vote(reopenHash, next, true), bob), 'Bob\'s aye', 60_000);
    const closed = await withNode(node,
      submit(api, api.tx.council.close(reopenHash, next, weight, reopenLen), alice), 'the close', 60_000);
    const refused = findEvent(closed.events, 'council', 'Executed');
    assert.ok(refused.data.result.isErr, 'the reopening was refused');
    const error = api.registry.findMetaError(refused.data.result.asErr.asModule);
    assert.equal(`${error.section}.${error.name}`, 'margin.GuardianCannotLoosen');
    assert.equal((await api.query.margin.markets(ETH_PERP)).unwrap().status.toString(), 'Halted');
  });
});
