// The action of `rollup:verification-keys` (defined in ./node.ts): the file `rollup:deploy
// --verification-keys` reads, computed from the circuit the framework ships (circuits/build) and
// the public keys of each committee's running attesters. Loaded when the task runs.
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { hexlify, keccak256 } from "ethers";

import type { AttesterInfo } from "../rollup-node/provers/attesterProtocol";
import { plural } from "../rollup-node/logger";
import {
  COMMITTEE_CIRCUIT,
  Committee,
  bundledCircuitArtifacts,
  committeeVerificationKey,
  loadBabyJub,
} from "../rollup-node/provers/committee";
import { RollupTaskError } from "./rollupContext";

/** How long one attester may take to say who it is. */
const ATTESTER_INFO_TIMEOUT_MS = 10_000;

/** `URL,URL,URL;URL,…`: the committees, each its members' URLs in member order. */
export function parseCommittees(spec: string): string[][] {
  const committees = spec.split(";").map((c) =>
    c
      .split(",")
      .map((u) => u.trim())
      .filter((u) => u !== ""),
  );
  for (const [i, urls] of committees.entries()) {
    const bad = urls.find((u) => !/^https?:\/\//.test(u));
    if (urls.length === 0 || bad !== undefined)
      throw new RollupTaskError(
        "BAD_ATTESTERS",
        urls.length === 0 ? `committee #${i + 1} of --attesters lists no attester` : `${bad} is not an http(s) URL`,
        "pass --attesters http://host:port,http://host:port,…; separate committees with ';'",
      );
  }
  return committees;
}

/** An attester's Baby Jubjub public key, asked over HTTP (`GET /`, what the node asks too). */
async function attesterPublicKey(url: string): Promise<readonly [bigint, bigint]> {
  try {
    const response = await fetch(new URL("/", url), { signal: AbortSignal.timeout(ATTESTER_INFO_TIMEOUT_MS) });
    const info = (await response.json()) as AttesterInfo;
    return [BigInt(info.publicKey[0]), BigInt(info.publicKey[1])];
  } catch (error) {
    throw new RollupTaskError(
      "ATTESTER_UNREACHABLE",
      `the attester at ${url} did not say its public key: ${(error as Error).message}`,
      "start it first (npx hardhat rollup:attester, or native-rollup-attester) and check the URL",
    );
  }
}

export async function verificationKeys(args: { attesters: string; out: string }): Promise<void> {
  const committees = parseCommittees(args.attesters);
  const babyJub = await loadBabyJub();
  const artifacts = bundledCircuitArtifacts();
  const keys: string[] = [];
  for (const [i, urls] of committees.entries()) {
    const publicKeys = await Promise.all(urls.map(attesterPublicKey));
    const key = hexlify(committeeVerificationKey(artifacts, Committee.fromPublicKeys(babyJub, publicKeys)));
    keys.push(key);
    console.log(
      `committee #${i + 1} (${plural(urls.length, "attester")}, ${plural(COMMITTEE_CIRCUIT.signatures, "signature")} per proof): key hash ${keccak256(key)}`,
    );
  }
  const out = path.resolve(args.out);
  await writeFile(out, `${JSON.stringify(keys, null, 2)}\n`);
  console.log(
    `${plural(keys.length, "verification key")} written to ${out}: rollup:deploy --verification-keys ${args.out}`,
  );
}
