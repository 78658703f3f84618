#!/usr/bin/env node
// The handlers go in before the modules load (dynamic imports below): a Ctrl-C or SIGTERM in the first
// moments must end in one line and 128+N, not a silent death by the signal (src/cli/early-signals.ts).
import { holdStopSignals } from '../early-signals.js';

holdStopSignals();
const { runCli } = await import('../run.js');
const { trackCommand } = await import('../commands/track.js');
const { trackParser } = await import('../commands/track-args.js');
await runCli('leak-track', trackCommand, trackParser);
