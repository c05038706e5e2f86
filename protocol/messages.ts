/**
 * TypeScript mirror of the message rules of contracts/rollup (Messages.sol, MessageTree.sol,
 * RollupConstants.sol): message hashing, the message tree's root and proofs, and the L2Bridge
 * storage slot that records an L2 → L1 message. The bridge, the rollup_* RPC methods and the
 * contract tests all hash and prove messages through this one module.
 */
import { AbiCoder, ZeroHash, concat, keccak256 } from "ethers";

/** The L2Bridge predeploy. */
export const L2_BRIDGE_ADDRESS = "0x4e41540000000000000000000000000000000001";
/** The EIP-4788 beacon roots contract (its L2 copy stores each block's message root). */
export const BEACON_ROOTS_ADDRESS = "0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02";
/** `uint256(keccak256("native-rollup.L2Bridge.sentMessages")) - 1`: L2Bridge's sent-messages mapping. */
export const SENT_MESSAGES_SLOT = "0x5df3ce2b604a8eb1a47a38ed987ba648589c3b3f81bc93bb4609d0c6a9742a1d";
/** What `l1Sender()` / `l2Sender()` return outside of a cross-domain call. */
export const DEFAULT_CROSS_DOMAIN_SENDER = "0x000000000000000000000000000000000000dEaD";

/** An L1 → L2 message as queued by the rollup contract (`L1Message` in Messages.sol). */
export interface L1Message {
  nonce: bigint;
  from: string;
  to: string;
  value: bigint;
  gasLimit: bigint;
  data: string;
}

/** An L2 → L1 message as recorded by L2Bridge (`L2Message` in Messages.sol). */
export interface L2Message {
  nonce: bigint;
  from: string;
  to: string;
  value: bigint;
  data: string;
}

const abi = AbiCoder.defaultAbiCoder();

/** `keccak256(abi.encode(nonce, from, to, value, gasLimit, data))`. */
export function hashL1Message(m: L1Message): string {
  return keccak256(
    abi.encode(
      ["uint256", "address", "address", "uint256", "uint256", "bytes"],
      [m.nonce, m.from, m.to, m.value, m.gasLimit, m.data],
    ),
  );
}

/** `keccak256(abi.encode(nonce, from, to, value, data))`. */
export function hashL2Message(m: L2Message): string {
  return keccak256(
    abi.encode(["uint256", "address", "address", "uint256", "bytes"], [m.nonce, m.from, m.to, m.value, m.data]),
  );
}

/** The storage slot of L2Bridge that holds 1 once the L2 → L1 message `messageHash` is sent. */
export function sentMessageSlot(messageHash: string): string {
  return keccak256(abi.encode(["bytes32", "uint256"], [messageHash, SENT_MESSAGES_SLOT]));
}

/** `keccak256(left ‖ right)`. */
export function hashPair(left: string, right: string): string {
  return keccak256(concat([left, right]));
}

/** The leaves padded with zero hashes to the next power of two (at least one). */
function padded(leaves: readonly string[]): string[] {
  let width = 1;
  while (width < leaves.length) width *= 2;
  return [...leaves, ...Array<string>(width - leaves.length).fill(ZeroHash)];
}

/** Every level of the tree, leaves first, root last. */
function levels(leaves: readonly string[]): string[][] {
  const all = [padded(leaves)];
  while (all[all.length - 1].length > 1) {
    const level = all[all.length - 1];
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hashPair(level[i], level[i + 1]));
    all.push(next);
  }
  return all;
}

/** The MessageTree root: zero for no leaves, the leaf itself for one. */
export function messageRoot(leaves: readonly string[]): string {
  if (leaves.length === 0) return ZeroHash;
  const all = levels(leaves);
  return all[all.length - 1][0];
}

/** The sibling path of leaf `index`, from the leaf up (what `MessageTree.verify` takes). */
export function messageProof(leaves: readonly string[], index: number): string[] {
  if (index < 0 || index >= leaves.length) throw new RangeError(`no leaf ${index} among ${leaves.length}`);
  const all = levels(leaves);
  const proof: string[] = [];
  let position = index;
  for (const level of all.slice(0, -1)) {
    proof.push(level[position ^ 1]);
    position >>= 1;
  }
  return proof;
}

/** Mirror of `MessageTree.verify`. */
export function verifyMessageProof(root: string, leaf: string, index: number, proof: readonly string[]): boolean {
  if (index >= 2 ** proof.length) return false;
  let node = leaf;
  proof.forEach((sibling, depth) => {
    node = (index >> depth) & 1 ? hashPair(sibling, node) : hashPair(node, sibling);
  });
  return node === root;
}
