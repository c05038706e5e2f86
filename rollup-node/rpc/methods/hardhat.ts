import { invalidParams } from "../errors";
import { parseAddress, parseData, parseQuantity, parseSlot } from "../hex";
import { MAX_DEV_TIMESTAMP } from "../../chain/chain";
import { devControls } from "./evm";

/**
 * Most blocks one hardhat_mine call mines. Blocks are mined one by one (unlike Hardhat, which
 * skips empty ones): a larger count would hold the chain's lock for minutes or forever.
 */
export const MAX_HARDHAT_MINE_BLOCKS = 10_000n;
import type { MethodTable } from "./types";

/**
 * The hardhat_* methods that @nomicfoundation/hardhat-network-helpers and hardhat-ethers call
 * (mine, setBalance/Code/Nonce/StorageAt, metadata). Impersonation and forking are not offered.
 */
export const hardhatMethods: MethodTable = {
  hardhat_metadata: (_params, backend) => devControls(backend, "hardhat_metadata").metadata(),
  hardhat_getAutomine: (_params, backend) => devControls(backend, "hardhat_getAutomine").getAutomine(),
  hardhat_mine: async (params, backend) => {
    devControls(backend, "hardhat_mine");
    const blocks = params[0] === undefined ? 1n : parseQuantity(params[0], "blocks");
    const interval = params[1] === undefined ? 1n : parseQuantity(params[1], "interval");
    if (interval < 1n && blocks > 1n)
      throw invalidParams("interval: blocks need strictly increasing timestamps, use at least 1");
    if (blocks > MAX_HARDHAT_MINE_BLOCKS)
      throw invalidParams(`blocks: at most ${MAX_HARDHAT_MINE_BLOCKS} per call, got ${blocks}`);
    const last = backend.chain.head.header.timestamp + interval * (blocks - 1n);
    if (blocks > 1n && last > MAX_DEV_TIMESTAMP) {
      throw invalidParams(
        `interval: ${blocks} blocks ${interval} s apart would reach timestamp ${last}, past the largest dev timestamp ${MAX_DEV_TIMESTAMP} (2^63 - 1)`,
      );
    }
    for (let i = 0n; i < blocks; i++) {
      const timestamp = i === 0n ? undefined : backend.chain.head.header.timestamp + interval;
      await backend.mine(timestamp === undefined ? {} : { timestamp });
    }
    return null;
  },
  hardhat_setBalance: async (params, backend) => {
    devControls(backend, "hardhat_setBalance");
    await backend.chain.patchAccount(parseAddress(params[0], "address"), {
      balance: parseQuantity(params[1], "balance"),
    });
    return true;
  },
  hardhat_setNonce: async (params, backend) => {
    devControls(backend, "hardhat_setNonce");
    await backend.chain.patchAccount(parseAddress(params[0], "address"), { nonce: parseQuantity(params[1], "nonce") });
    return true;
  },
  hardhat_setCode: async (params, backend) => {
    devControls(backend, "hardhat_setCode");
    await backend.chain.patchAccount(parseAddress(params[0], "address"), { code: parseData(params[1], "code") });
    return true;
  },
  hardhat_setStorageAt: async (params, backend) => {
    devControls(backend, "hardhat_setStorageAt");
    const value = parseData(params[2], "value", 32);
    await backend.chain.patchAccount(parseAddress(params[0], "address"), {
      storage: [{ slot: parseSlot(params[1], "slot"), value }],
    });
    return true;
  },
};
