/** @module The one error a bad configuration raises: every problem found, each naming its dotted path. */

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** One line per problem, like `listen.port: must be <= 65535`; never contains a secret value. */
  readonly problems: readonly string[];
  /** The file (or `sourceName`) the configuration came from. */
  readonly source: string;

  constructor(source: string, problems: readonly string[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`invalid configuration in ${source} (${count}):\n${problems.join('\n')}`);
    this.source = source;
    this.problems = Object.freeze([...problems]);
  }
}
