import { type Common, Hardfork } from "@ethereumjs/common";
import { getActivePrecompiles } from "@ethereumjs/evm";
import { bytesToHex, setLengthLeft, hexToBytes } from "@ethereumjs/util";

import type { Chain } from "../../chain/chain";
import { BEACON_ROOTS, CONSOLIDATION_REQUESTS, HISTORY_STORAGE, WITHDRAWAL_REQUESTS } from "../../../precompiles";
import type { Json } from "../format";
import { quantity } from "../hex";
import type { MethodTable } from "./types";

/** EIP-7910's names of the standard precompiles, by address. */
const PRECOMPILE_NAMES: Readonly<Record<number, string>> = {
  0x01: "ECREC",
  0x02: "SHA256",
  0x03: "RIPEMD160",
  0x04: "ID",
  0x05: "MODEXP",
  0x06: "BN254_ADD",
  0x07: "BN254_MUL",
  0x08: "BN254_PAIRING",
  0x09: "BLAKE2F",
  0x0a: "KZG_POINT_EVALUATION",
  0x0b: "BLS12_G1ADD",
  0x0c: "BLS12_G1MSM",
  0x0d: "BLS12_G2ADD",
  0x0e: "BLS12_G2MSM",
  0x0f: "BLS12_PAIRING_CHECK",
  0x10: "BLS12_MAP_FP_TO_G1",
  0x11: "BLS12_MAP_FP2_TO_G2",
  0x100: "P256VERIFY",
};

interface ForkEntry {
  readonly name: string;
  readonly timestamp: bigint;
}

/** Timestamp-scheduled forks (EIP-7910 describes those), in order; one entry without a schedule. */
function timestampForks(chain: Chain): ForkEntry[] {
  if (!chain.followsForkSchedule) return [{ name: chain.common.hardfork(), timestamp: 0n }];
  return chain.common
    .hardforks()
    .filter((hf) => hf.timestamp !== undefined && hf.timestamp !== null)
    .map((hf) => ({ name: hf.name, timestamp: BigInt(hf.timestamp as number | string) }));
}

/** The EIP-6110 deposit contract: Common keeps it in its chain parameters, where the VM reads it too. */
function depositContract(common: Common): string {
  const params = (common as unknown as { _chainParams: { depositContractAddress?: string } })._chainParams;
  return (params.depositContractAddress ?? MAINNET_DEPOSIT_CONTRACT).toLowerCase();
}

const MAINNET_DEPOSIT_CONTRACT = "0x00000000219ab540356cbb839cbe05303d7705fa";

function forkConfig(chain: Chain, fork: ForkEntry, genesisHash: Uint8Array): Json {
  const common: Common = chain.common.copy();
  common.setHardfork(fork.name);
  const precompiles: { [name: string]: Json } = {};
  for (const address of getActivePrecompiles(common).keys()) {
    const bytes = hexToBytes(`0x${address}`);
    const number = Number(BigInt(`0x${address}`));
    precompiles[PRECOMPILE_NAMES[number] ?? bytesToHex(bytes)] = bytesToHex(setLengthLeft(bytes, 20));
  }
  for (const address of chain.customPrecompileAddresses) precompiles[bytesToHex(address)] = bytesToHex(address);
  const systemContracts: { [name: string]: Json } = {};
  if (common.isActivatedEIP(4788)) systemContracts.BEACON_ROOTS_ADDRESS = BEACON_ROOTS.address;
  if (common.isActivatedEIP(7685)) {
    systemContracts.CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS = CONSOLIDATION_REQUESTS.address;
    systemContracts.DEPOSIT_CONTRACT_ADDRESS = depositContract(common);
    systemContracts.WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS = WITHDRAWAL_REQUESTS.address;
  }
  if (common.isActivatedEIP(2935)) systemContracts.HISTORY_STORAGE_ADDRESS = HISTORY_STORAGE.address;
  const out: { [key: string]: Json } = {
    activationTime: Number(fork.timestamp),
    chainId: quantity(chain.chainId),
    forkId: chain.followsForkSchedule
      ? common.forkHash(fork.name, genesisHash)
      : bytesToHex(setLengthLeft(hexToBytes(common.forkHash(Hardfork.Chainstart, genesisHash)), 4)),
    precompiles,
    systemContracts,
  };
  if (common.isActivatedEIP(4844)) {
    const schedule = common.getBlobGasSchedule();
    const perBlob = common.param("blobGasPerBlob");
    out.blobSchedule = {
      target: Number(schedule.targetBlobGasPerBlock / perBlob),
      max: Number(schedule.maxBlobGasPerBlock / perBlob),
      baseFeeUpdateFraction: Number(schedule.blobGasPriceUpdateFraction),
    };
  }
  return out;
}

/** eth_config (EIP-7910): the fork rules in force now, and the next and last scheduled ones. */
function config(chain: Chain): Json {
  const genesisHash = chain.resolveBlock(0n).block.hash();
  const forks = timestampForks(chain);
  const now = chain.head.header.timestamp;
  let current = 0;
  forks.forEach((fork, i) => {
    if (fork.timestamp <= now) current = i;
  });
  const currentFork = forks[current] as ForkEntry;
  const next = forks[current + 1];
  const last = forks[forks.length - 1] as ForkEntry;
  return {
    current: forkConfig(chain, currentFork, genesisHash),
    next: next === undefined ? null : forkConfig(chain, next, genesisHash),
    last: next === undefined ? null : forkConfig(chain, last, genesisHash),
  };
}

/**
 * eth_capabilities: what history this node serves. It keeps everything from genesis (the
 * state trie is append-only and block history is never pruned), so every kind starts at 0x0.
 */
function capabilities(chain: Chain): Json {
  const all = { disabled: false, oldestBlock: "0x0" };
  return {
    head: { number: quantity(chain.headNumber), hash: bytesToHex(chain.head.hash()) },
    state: all,
    tx: all,
    logs: all,
    receipts: all,
    blocks: all,
    stateproofs: all,
  };
}

/** EIP-7910's eth_config and eth_capabilities: what rules and history this node serves. */
export const configMethods: MethodTable = {
  eth_config: (_params, { chain }) => config(chain),
  eth_capabilities: (_params, { chain }) => capabilities(chain),
};
