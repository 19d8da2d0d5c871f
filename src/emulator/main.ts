// Process entry: `node --import tsx src/emulator/main.ts [--port N] [--host H] [--config file.json] [...]`.
import { emulatorProgram } from './cli.js';

// Resolves once a signal has stopped the emulator; exit explicitly so nothing left over can keep the process up.
await emulatorProgram().parseAsync(process.argv);
process.exit(process.exitCode ?? 0);
