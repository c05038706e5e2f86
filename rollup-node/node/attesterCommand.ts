// The attester command: `npx hardhat rollup:attester`, `native-rollup-attester`. One committee
// member in its own process with its own key (from the environment or a keystore, never from
// the command line), served over HTTP to the nodes that list it (attesterServer.ts).
import path from "node:path";

import type { LoggerFactory } from "../logger";
import {
  type OptionValue,
  CommandOptionsError,
  parseCommandLine,
  readConfigFile,
  resolveOptions,
} from "./commandOptions";
import { ATTESTER_OPTIONS, ATTESTER_USAGE } from "./attesterOptions";
import { KeyError, type SecretKey, attesterKeyBytes, describeKeySource, keyEnvNames, loadRoleKey } from "./keySources";
import { type AttesterServer, startAttesterServer } from "../provers/attesterServer";
import { COMMITTEE_CIRCUIT } from "../provers/committee";
import { devAttesterKeys } from "../provers/proofService";
import { withWriteRules } from "../provers/attesterProtocol";
import { readGenesisFile } from "../chain/genesisFile";
import { DEFAULT_VERIFIER_WRITES, describeWriteRules } from "../../precompiles";

export interface AttesterCommandOptions {
  readonly host: string;
  readonly port: number;
  readonly hardfork: string;
  /** The L2 genesis file of the chain it attests for (its write rules); none: the default rule for every chain. */
  readonly genesis?: string;
  readonly keystore?: string;
  readonly dev: boolean;
}

/** The attester's options; undefined for `--help`. `usage` is the hint of a refusal (attesterUsage of the command run). */
export async function resolveAttesterCommand(
  argv: readonly string[],
  usage: string = ATTESTER_USAGE,
): Promise<AttesterCommandOptions | undefined> {
  const fromCommandLine = parseCommandLine(ATTESTER_OPTIONS, argv, usage);
  if (fromCommandLine.help === true) return undefined;
  const file =
    typeof fromCommandLine.config === "string"
      ? await readConfigFile(ATTESTER_OPTIONS, path.resolve(fromCommandLine.config), [], usage)
      : { values: {} };
  const v: Record<string, OptionValue | undefined> = resolveOptions(ATTESTER_OPTIONS, file.values, fromCommandLine);
  return {
    host: v.host as string,
    port: v.port as number,
    hardfork: v.hardfork as string,
    ...(typeof v.genesis === "string" ? { genesis: path.resolve(v.genesis) } : {}),
    ...(typeof v.keystore === "string" ? { keystore: path.resolve(v.keystore) } : {}),
    dev: v.dev === true,
  };
}

/** True for the devnet's committee keys (derived from public strings: anyone can sign with them). */
export function isDevAttesterKey(key: SecretKey): boolean {
  const hex = key.reveal().slice(2);
  for (let committee = 1; committee <= 8; committee++) {
    for (const dev of devAttesterKeys(`committee-${committee}`, COMMITTEE_CIRCUIT.signatures))
      if (Buffer.from(dev).toString("hex") === hex) return true;
  }
  return key.isDevKey;
}

/** Starts the attester the options describe. */
export async function startAttesterCommand(
  options: AttesterCommandOptions,
  context: { readonly logger: LoggerFactory; readonly env?: Readonly<Record<string, string | undefined>> },
): Promise<AttesterServer> {
  const key = await loadRoleKey("attester", { env: context.env, keystoreFile: options.keystore });
  if (key === undefined) {
    const names = keyEnvNames("attester");
    throw new KeyError(
      "KEY_MISSING",
      "no attester key configured",
      `set ${names.key} (0x + 64 hex digits), or --keystore FILE / ${names.keystore} with ${names.password} or ${names.passwordFile}`,
    );
  }
  if (isDevAttesterKey(key) && !options.dev) {
    throw new KeyError(
      "DEV_KEY_REFUSED",
      "the attester key is a public dev key: anyone could sign as this member",
      "give the attester its own key, or pass --dev for a throw-away chain",
    );
  }
  if (options.hardfork === "") throw new CommandOptionsError("CLI_USAGE", "--hardfork is empty", ATTESTER_USAGE);
  // The chain's write rules from its genesis file: without them it would refuse (WitnessIncomplete)
  // every block its genesis schedules under another rule than the default.
  const genesis = options.genesis === undefined ? undefined : await readGenesisFile(options.genesis);
  const fork = withWriteRules(
    { hardfork: options.hardfork, eips: [] },
    genesis === undefined ? new Map() : new Map([[genesis.chainId, genesis.writeRules ?? DEFAULT_VERIFIER_WRITES]]),
  );
  const server = await startAttesterServer({
    privateKey: attesterKeyBytes(key),
    fork,
    host: options.host,
    port: options.port,
    // `--port` in the attester command and in rollup:attester alike (the task passes the same argv).
    portOption: "--port",
    logger: context.logger("attester"),
  });
  context
    .logger("attester")
    .info(
      `attester (key from ${describeKeySource(key.source)}) re-executing under ${options.hardfork}${genesis === undefined ? "" : `, chain ${genesis.chainId}'s write rules ${describeWriteRules(genesis.writeRules ?? DEFAULT_VERIFIER_WRITES)}`}, public key ${server.publicKey[0]},${server.publicKey[1]}`,
    );
  return server;
}
