import { type TypedTransaction, createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { DEFAULT_MEMPOOL_LIMITS } from "../../../rollup-node/l2/mempool";
import { createL2Dispatcher } from "../../../rollup-node/l2/rpc";
import type { Sequencer } from "../../../rollup-node/l2/sequencer";
import type { RpcResponse } from "../../../rollup-node/rpc/dispatcher";
import { TempDirs, common, openSequencer, signers } from "./l2Support";

const TO = "0x00000000000000000000000000000000000000bb";

function transfer(nonce: number): TypedTransaction {
  const [signer] = signers(1);
  return createFeeMarket1559Tx(
    {
      chainId: common.chainId(),
      nonce: BigInt(nonce),
      maxFeePerGas: 10_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
      gasLimit: 21_000n,
      to: TO,
      value: 1n,
    },
    { common },
  ).sign(signer.privateKey);
}

const call = (tx: TypedTransaction, id: number): object => ({
  jsonrpc: "2.0",
  id,
  method: "eth_sendRawTransaction",
  params: [bytesToHex(tx.serialize())],
});

/**
 * A wallet's batch of its own nonces, in order, must not be overtaken by the requests that
 * arrive while it is answered (l2-throughput.md, round 29). The batch's calls used to run one
 * after another, each waiting for an admission round of its own (the pool lock, one journal
 * write): under load a batch of 25 took seconds, the same sender's later nonces (other
 * requests) reached the pool first, filled its 64 places behind the gap and every further one
 * was refused "account limit exceeded" — the stall of load:l2 at 100 tx/s.
 */
describe("L2 RPC: a batch of raw transactions is admitted in one round, in its order", function () {
  this.timeout(30_000);
  const dirs = new TempDirs();
  let sequencer: Sequencer;

  before(async () => {
    sequencer = await openSequencer(dirs.make());
  });

  after(async () => {
    await sequencer.close();
    dirs.removeAll();
  });

  it("admits a batch of nonces 0-2 and, sent just after it, the queue's limit of later nonces plus one", async () => {
    const dispatcher = createL2Dispatcher(sequencer);
    const batch = [0, 1, 2].map((nonce) => call(transfer(nonce), nonce));
    // Nonces 3..67: one more than a sender may hold behind a gap, each in a request of its own,
    // sent while the batch is being answered (in the same tick, as a busy client's requests are).
    const later = Array.from({ length: DEFAULT_MEMPOOL_LIMITS.accountQueue + 1 }, (_, i) => 3 + i);
    const batchAnswer = dispatcher.handle(batch);
    const laterAnswers = later.map((nonce) => dispatcher.handle(call(transfer(nonce), nonce)));
    const answers = [
      ...((await batchAnswer) as RpcResponse[]),
      ...((await Promise.all(laterAnswers)) as RpcResponse[]),
    ];
    const refused = answers.filter((a) => a.error !== undefined).map((a) => `nonce ${a.id}: ${a.error?.message}`);
    expect(refused).to.deep.equal([]);
    expect(answers.map((a) => a.id)).to.deep.equal([0, 1, 2, ...later]);
    const status = (await dispatcher.handle({
      jsonrpc: "2.0",
      id: 1,
      method: "txpool_status",
      params: [],
    })) as RpcResponse;
    expect(status.result).to.deep.equal({ pending: "0x44", queued: "0x0" });
  });
});
