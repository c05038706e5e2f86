// The attester command's options, in a module that loads nothing heavy (the Hardhat plugin
// declares `rollup:attester`'s parameters from it while the config loads).
import { DEFAULT_HARDFORK } from "../chain/defaults";
import { DEFAULT_ATTESTER_HOST, DEFAULT_ATTESTER_PORT } from "../provers/defaults";
import { MAX_TCP_PORT } from "../rpc/defaults";
import { type OptionSpec, helpText } from "./commandOptions";
import { keyEnvNames } from "./keySources";

/** Interface and port of `rollup:attester` unless told otherwise (port 0 picks a free one). */
export { DEFAULT_ATTESTER_HOST, DEFAULT_ATTESTER_PORT };

export const ATTESTER_OPTIONS: readonly OptionSpec[] = [
  {
    name: "host",
    type: "string",
    valueName: "HOST",
    default: DEFAULT_ATTESTER_HOST,
    description: "interface to listen on",
  },
  {
    name: "port",
    type: "integer",
    default: DEFAULT_ATTESTER_PORT,
    max: MAX_TCP_PORT,
    description: "HTTP port (0 picks a free one)",
  },
  {
    name: "hardfork",
    type: "string",
    valueName: "FORK",
    default: DEFAULT_HARDFORK,
    description: "the fork whose rules blocks are re-executed under: the L2 genesis's (its config), which is its L1's",
  },
  {
    name: "genesis",
    type: "string",
    valueName: "FILE",
    isPath: true,
    description:
      "the L2 genesis file of the chain it attests for: its config.writeRules, under which EXECUTE verifies the chain's blocks (without it, the default rule, per block from genesis)",
  },
  {
    name: "keystore",
    type: "string",
    valueName: "FILE",
    isPath: true,
    description:
      "an encrypted JSON keystore holding the attester's key (password in NATIVE_ROLLUP_ATTESTER_KEYSTORE_PASSWORD or _PASSWORD_FILE); else NATIVE_ROLLUP_ATTESTER_KEY",
  },
  { name: "dev", type: "boolean", description: "accept a public dev attester key (the devnet's committees)" },
  {
    name: "config",
    type: "string",
    valueName: "FILE",
    commandLineOnly: true,
    description: "a JSON file with any of these options by name; the command line wins",
  },
  { name: "help", type: "boolean", commandLineOnly: true, description: "print this help" },
];

/**
 * The one-line usage a refusal's hint shows, for the command as it was run: under Hardhat
 * (`npx hardhat rollup:attester`) `--config` is Hardhat's own, so the attester's file is `--attester-config`.
 */
export function attesterUsage(command = "native-rollup-attester", configFlag = "--config"): string {
  return `${command} [--port N] [--host H] [--hardfork FORK] [--genesis FILE] [--keystore FILE] [${configFlag} FILE] (--help for all)`;
}

export const ATTESTER_USAGE = attesterUsage();
const ATTESTER_SUMMARY =
  "Runs one committee attester: it re-executes each L2 block a node sends (POST /attest) and signs its commitment only if the block verifies. " +
  "Its key (32 bytes, the Baby Jubjub private key) comes from NATIVE_ROLLUP_ATTESTER_KEY or a keystore.";

export function attesterHelp(command = "native-rollup-attester"): string {
  return helpText(
    command,
    ATTESTER_SUMMARY,
    ATTESTER_OPTIONS,
    `Environment: ${Object.values(keyEnvNames("attester")).join(", ")}.`,
  );
}
