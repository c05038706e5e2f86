import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { createTxFromRLP } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import {
  AbiCoder,
  JsonRpcProvider,
  Wallet,
  getCreateAddress,
  hexlify,
  keccak256,
  parseEther,
  randomBytes,
} from "ethers";

import { deployRollup } from "../../deploy/rollup";
import { L2_BRIDGE_INTERFACE, connectRollup } from "../../rollup-node/bridge/contracts";
import { type L1Message, L2_BRIDGE_ADDRESS, hashL1Message } from "../../protocol/messages";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { createLineLogger } from "../../rollup-node/logger";
import { genesisCommitments } from "../../rollup-node/devnet/rollupDevnet";
import { devNodeKeys } from "../../rollup-node/node/keys";
import { devL2Genesis } from "../../rollup-node/node/l2Genesis";
import { buildWithdrawalProof, sentMessagesOfTransaction } from "../../rollup-node/bridge/withdrawals";
import { genesisSupply } from "../../rollup-node/l2/genesis";
import { type RollupNode, startRollupNode } from "../../rollup-node/node/rollupNode";

const L2_CHAIN_ID = 778n;
/** A witness budget small enough that one call of a 12 KB contract cannot fit beside the relay. */
const MAX_WITNESS_BYTES = 15_000;
const BIG_CODE_BYTES = 12_000;

/** Init code that deploys `runtime` as is (CODECOPY of the bytes after this 12-byte prefix, RETURN). */
function deployCode(runtime: Uint8Array): string {
  const size = runtime.length.toString(16).padStart(4, "0");
  return `0x61${size}600c60003961${size}6000f3${hexlify(runtime).slice(2)}`;
}

describe("message liveness on the real node, L1 devnet and EXECUTE", function () {
  this.timeout(120_000);
  const keys = devNodeKeys();
  let l1: L1Devnet;
  let provider: JsonRpcProvider;
  let dir: string;
  let node: RollupNode;
  let rollupAddress: string;
  const lines: string[] = [];
  let supply: bigint;

  before(async () => {
    // The deployer deposits the L2 genesis supply (the funded accounts' balances) besides paying gas.
    l1 = await startL1Devnet({ port: 0, alloc: { [keys.sequencer.address]: { balance: parseEther("1000000") } } });
    provider = new JsonRpcProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    dir = mkdtempSync(path.join(tmpdir(), "liveness-test-"));
    const genesis = devL2Genesis({
      chainId: L2_CHAIN_ID,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      funded: [...l1.accounts, keys.relayer],
    });
    const commitments = await genesisCommitments(genesis);
    const deployment = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
      l2ChainId: L2_CHAIN_ID,
      genesisBlockHash: commitments.hash,
      genesisStateRoot: commitments.stateRoot,
      sequencer: keys.sequencer.address,
      genesisSupply: genesisSupply(genesis),
    });
    supply = genesisSupply(genesis);
    rollupAddress = deployment.address;
    node = await startRollupNode({
      storage: { dataDir: dir },
      l1: { provider, rollupAddress, deployBlock: deployment.deployBlock, pollMs: 50 },
      sequencer: { genesis, maxWitnessBytes: MAX_WITNESS_BYTES, produce: false },
      submitter: { retry: { initialDelayMs: 20, maxDelayMs: 200 } },
      keys,
      rpc: false,
      dashboard: false,
      logger: (component) => createLineLogger(component, (line) => lines.push(line)),
    });
  });

  after(async () => {
    await node?.stop();
    provider.destroy();
    await l1.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a message whose call needs more witness than a block carries is deferred: every block fits, L1 accepts it, and the sender takes the value back on L2", async () => {
    // A 12 KB contract on L2 (its code starts with STOP, so calling it succeeds).
    const deployer = new Wallet(l1.accounts[2]?.privateKey as string);
    const runtime = new Uint8Array([0x00, ...randomBytes(BIG_CODE_BYTES - 1)]);
    const raw = await deployer.signTransaction({
      chainId: L2_CHAIN_ID,
      nonce: 0,
      type: 2,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 0n,
      gasLimit: 3_500_000n,
      data: deployCode(runtime),
    });
    await node.sequencer.submitTransaction(
      createTxFromRLP(hexToBytes(raw as `0x${string}`), { common: node.sequencer.chain.common }),
    );
    await node.sequencer.produceBlock();
    const big = getCreateAddress({ from: deployer.address, nonce: 0 });
    expect(await node.sequencer.chain.getCode(hexToBytes(big as `0x${string}`)).then((c) => c.length)).to.equal(
      BIG_CODE_BYTES,
    );

    // An L1 user sends it a message with value; the node anchors it in the next block.
    const user = new Wallet(l1.accounts[4]?.privateKey as string, provider);
    await (
      await connectRollup(rollupAddress, user).sendMessage(big, 200_000n, "0x", { value: parseEther("2") })
    ).wait();
    await node.bridge.syncL1();
    const produced = await node.sequencer.produceBlock();
    expect(produced.consumedMessages).to.equal(1);
    for (let n = 1n; n <= produced.number; n++) {
      const witness = await node.sequencer.encodedWitness(n);
      expect(witness?.length, `witness of L2 block ${n}`).to.be.at.most(MAX_WITNESS_BYTES);
    }
    const message: L1Message = {
      nonce: 0n,
      from: user.address,
      to: big,
      value: parseEther("2"),
      gasLimit: 200_000n,
      data: "0x",
    };
    const failedSlot = keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [0n, 2n]));
    const held = await node.sequencer.chain.getStorageAt(
      hexToBytes(L2_BRIDGE_ADDRESS),
      hexToBytes(failedSlot as `0x${string}`),
    );
    expect(bytesToHex(held)).to.equal(hashL1Message(message));
    expect(lines.some((l) => l.includes("deferring L1 → L2 message #0"))).to.equal(true);

    // L1 accepts every block (the relay check and EXECUTE with the witness).
    await node.bridge.submitter?.waitForAccepted(produced.number, 60_000);
    expect(await connectRollup(rollupAddress, provider).headNumber()).to.equal(produced.number);

    // The sender (same key on L2) takes the 2 ETH back to an L2 address of its choice.
    const recipient = Wallet.createRandom().address;
    const l2User = new Wallet(user.privateKey);
    const refund = await l2User.signTransaction({
      chainId: L2_CHAIN_ID,
      nonce: 0,
      type: 2,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 0n,
      gasLimit: 200_000n,
      to: L2_BRIDGE_ADDRESS,
      data: L2_BRIDGE_INTERFACE.encodeFunctionData("refundMessage", [message, recipient, false]),
    });
    await node.sequencer.submitTransaction(
      createTxFromRLP(hexToBytes(refund as `0x${string}`), { common: node.sequencer.chain.common }),
    );
    const refunded = await node.sequencer.produceBlock();
    expect(refunded.block.transactions).to.have.length(1);
    expect(await node.sequencer.chain.getBalance(hexToBytes(recipient as `0x${string}`))).to.equal(parseEther("2"));
    await node.bridge.submitter?.waitForAccepted(refunded.number, 60_000);
  });

  it("L2 genesis balances are backed on L1: a genesis-funded account withdraws, and every depositor can still withdraw", async () => {
    const rollup = connectRollup(rollupAddress, provider);
    expect(supply > 0n).to.equal(true);
    expect(await rollup.genesisSupply()).to.equal(supply);
    const chain = node.sequencer.chain;
    const common = chain.common;
    const send = async (wallet: Wallet, nonce: number, to: string, value: bigint, data: string): Promise<string> => {
      const raw = await wallet.signTransaction({
        chainId: L2_CHAIN_ID,
        nonce,
        type: 2,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 0n,
        gasLimit: 200_000n,
        to,
        value,
        data,
      });
      return bytesToHex(
        await node.sequencer.submitTransaction(createTxFromRLP(hexToBytes(raw as `0x${string}`), { common })),
      );
    };
    // A genesis-funded account (never deposited) withdraws 50 ETH; a depositor deposits 1 ETH and withdraws it.
    const genesisAccount = new Wallet(l1.accounts[6]?.privateKey as string);
    const depositor = new Wallet(l1.accounts[7]?.privateKey as string, provider);
    await (
      await connectRollup(rollupAddress, depositor).depositETH(depositor.address, { value: parseEther("1") })
    ).wait();
    await node.bridge.syncL1();
    await node.sequencer.produceBlock();
    const fromGenesis = await send(
      genesisAccount,
      0,
      L2_BRIDGE_ADDRESS,
      parseEther("50"),
      L2_BRIDGE_INTERFACE.encodeFunctionData("withdraw", [genesisAccount.address]),
    );
    const fromDeposit = await send(
      new Wallet(depositor.privateKey),
      0,
      L2_BRIDGE_ADDRESS,
      parseEther("1"),
      L2_BRIDGE_INTERFACE.encodeFunctionData("withdraw", [depositor.address]),
    );
    const block = await node.sequencer.produceBlock();
    await node.bridge.submitter?.waitForAccepted(block.number, 60_000);

    const finalizer = connectRollup(rollupAddress, new Wallet(l1.accounts[8]?.privateKey as string, provider));
    for (const hash of [fromGenesis, fromDeposit]) {
      const [sent] = sentMessagesOfTransaction(chain, hash);
      const proof = await buildWithdrawalProof(chain, sent!, block.number);
      await (
        await finalizer.finalizeMessage(
          proof.l2BlockNumber,
          proof.message,
          [...proof.accountProof],
          [...proof.storageProof],
        )
      ).wait();
      expect(await rollup.finalized(sent!.messageHash)).to.equal(true);
    }
  });
});
