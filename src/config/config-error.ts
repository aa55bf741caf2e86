/** A configuration problem: its message is one sentence naming the variable and what it expects. */
export class ConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}
