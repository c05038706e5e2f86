// The options of the node's commands (`rollup:node`, `rollup:attester` and their bins), each
// declared once in a table: the command-line parser, the config file, `--help`, and the Hardhat
// task's parameters all read the same table, so a default or a description exists in one place.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";

import { NodeError } from "../errors";
import { parseJsonOr } from "../jsonSyntax";

export type OptionValue = string | number | boolean;

export interface OptionSpec {
  /** The flag without its dashes (`l1-rpc`), also the key in a config file. */
  readonly name: string;
  /** `fraction`: a number in (0, 1] (a share), given as a decimal ("0.25") or a JSON number. */
  readonly type: "string" | "integer" | "boolean" | "fraction";
  readonly description: string;
  /** Shown in `--help` (`URL`, `FILE`, …). */
  readonly valueName?: string;
  readonly default?: OptionValue;
  readonly choices?: readonly string[];
  /** `integer`: the smallest value accepted (0 unless given). */
  readonly min?: number;
  /** `integer`: the largest value accepted (Number.MAX_SAFE_INTEGER unless given). */
  readonly max?: number;
  /** Given relative in a config file, resolved against the config file's folder. */
  readonly isPath?: boolean;
  /** Not accepted in a config file (`config` itself, `help`). */
  readonly commandLineOnly?: boolean;
}

/**
 * The longest delay a Node timer takes (a signed 32-bit count of ms): a longer one runs after
 * 1 ms (TimeoutOverflowWarning), so an interval option past it, meant to act rarely, would act
 * every millisecond. The `max` of every option that sets a timer.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The command line or the config file does not say what the command needs. */
export class CommandOptionsError extends NodeError {}

export type OptionValues = Readonly<Record<string, OptionValue | undefined>>;

/** A decimal number as a user types it: "0.25", ".5", "1", "1e-3"; not "25%" nor "0x1". */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function coerce(spec: OptionSpec, raw: unknown, where: string, usage: string): OptionValue {
  if (spec.type === "boolean") {
    if (typeof raw === "boolean") return raw;
    throw new CommandOptionsError(
      "CLI_USAGE",
      `${where}: ${spec.name} must be true or false, got ${JSON.stringify(raw)}`,
      usage,
    );
  }
  if (spec.type === "integer") {
    const value =
      typeof raw === "number" ? raw : typeof raw === "string" && /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
    const min = spec.min ?? 0;
    const max = spec.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const range = `${min === 0 ? "a non-negative integer" : `an integer of at least ${min}`}${spec.max === undefined ? "" : ` and at most ${max}`}`;
      throw new CommandOptionsError(
        "CLI_USAGE",
        `${where}: ${spec.name} must be ${range}, got ${JSON.stringify(raw)}`,
        usage,
      );
    }
    return value;
  }
  if (spec.type === "fraction") {
    const value =
      typeof raw === "number" ? raw : typeof raw === "string" && DECIMAL.test(raw.trim()) ? Number(raw) : Number.NaN;
    if (!(value > 0 && value <= 1))
      throw new CommandOptionsError(
        "CLI_USAGE",
        `${where}: --${spec.name} ${typeof raw === "string" ? raw : JSON.stringify(raw)} is not a fraction in (0, 1]`,
        `give a decimal share, e.g. --${spec.name} ${spec.default ?? 0.5}${spec.default === undefined ? "" : " (the default)"}`,
      );
    return value;
  }
  if (typeof raw !== "string" || raw === "")
    throw new CommandOptionsError(
      "CLI_USAGE",
      `${where}: ${spec.name} must be a non-empty string, got ${JSON.stringify(raw)}`,
      usage,
    );
  if (spec.choices !== undefined && !spec.choices.includes(raw))
    throw new CommandOptionsError(
      "CLI_USAGE",
      `${where}: ${spec.name} must be one of ${spec.choices.join(", ")}, got ${raw}`,
      usage,
    );
  return raw;
}

/** The flags given on the command line (only those: defaults are applied by `resolveOptions`). */
export function parseCommandLine(
  specs: readonly OptionSpec[],
  argv: readonly string[],
  usage: string,
): Record<string, OptionValue> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        specs.map((s) => [s.name, { type: s.type === "boolean" ? "boolean" : "string" } as const]),
      ),
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (error) {
    throw new CommandOptionsError("CLI_USAGE", (error as Error).message, usage);
  }
  const out: Record<string, OptionValue> = {};
  for (const spec of specs) {
    const raw = values[spec.name];
    if (raw !== undefined) out[spec.name] = coerce(spec, raw, "command line", usage);
  }
  return out;
}

/**
 * A JSON config file: the same option names as the flags, plus `extras` (structured settings
 * that have no flag, such as committees). Relative paths resolve against the file's folder.
 */
export async function readConfigFile(
  specs: readonly OptionSpec[],
  file: string,
  extras: readonly string[],
  usage: string,
): Promise<{ readonly values: Record<string, OptionValue>; readonly extras: Record<string, unknown> }> {
  const expected = 'a JSON object with the options\' names as keys, e.g. { "l1-rpc": "http://…" }';
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CommandOptionsError(
      "CONFIG_FILE",
      `cannot read the config file ${file}: ${(error as Error).message}`,
      expected,
    );
  }
  const json = parseJsonOr(
    text,
    (description) =>
      new CommandOptionsError("CONFIG_FILE", `the config file ${file} is not JSON: ${description}`, expected),
  );
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new CommandOptionsError("CONFIG_FILE", `${file} is not a JSON object`, usage);
  const values: Record<string, OptionValue> = {};
  const found: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(json as Record<string, unknown>)) {
    if (extras.includes(key)) {
      found[key] = raw;
      continue;
    }
    const spec = specs.find((s) => s.name === key && s.commandLineOnly !== true);
    if (spec === undefined)
      throw new CommandOptionsError(
        "CONFIG_FILE",
        `${file}: unknown option "${key}"`,
        `known: ${[...specs.filter((s) => s.commandLineOnly !== true).map((s) => s.name), ...extras].join(", ")}`,
      );
    const value = coerce(spec, raw, file, usage);
    values[key] = spec.isPath === true && typeof value === "string" ? path.resolve(path.dirname(file), value) : value;
  }
  return { values, extras: found };
}

/** Command line over config file over the table's defaults. */
export function resolveOptions(
  specs: readonly OptionSpec[],
  fromFile: OptionValues,
  fromCommandLine: OptionValues,
): Record<string, OptionValue | undefined> {
  const out: Record<string, OptionValue | undefined> = {};
  for (const spec of specs) out[spec.name] = fromCommandLine[spec.name] ?? fromFile[spec.name] ?? spec.default;
  return out;
}

/** `--help`: every option with its value, default and description. */
export function helpText(command: string, summary: string, specs: readonly OptionSpec[], footer = ""): string {
  const lines = [`usage: ${command} [options]`, "", summary, "", "options:"];
  const flagOf = (spec: OptionSpec): string =>
    `--${spec.name}${spec.type === "boolean" ? "" : ` ${spec.valueName ?? (spec.type === "integer" ? "N" : "VALUE")}`}`;
  // Every description starts in one column, after the longest flag: a wider flag shifts none.
  const width = Math.max(...specs.map((spec) => flagOf(spec).length));
  for (const spec of specs) {
    const flag = flagOf(spec);
    const extra = [
      spec.choices === undefined ? undefined : `one of ${spec.choices.join(", ")}`,
      spec.default === undefined || spec.type === "boolean" ? undefined : `default ${spec.default}`,
    ].filter((x) => x !== undefined);
    lines.push(`  ${flag.padEnd(width)}  ${spec.description}${extra.length > 0 ? ` (${extra.join("; ")})` : ""}`);
  }
  if (footer !== "") lines.push("", footer);
  return lines.join("\n");
}

/** `l1-rpc` → `l1Rpc`: a Hardhat task parameter's name for an option. */
export function camelName(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
