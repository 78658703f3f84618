#!/usr/bin/env node
// The handlers go in before the modules load (dynamic imports below): a Ctrl-C in the first moments
// must still end in one line and exit 130, not a silent death by SIGINT.
import { holdStopSignals } from '../early-signals.js';

holdStopSignals();
const { runCli } = await import('../run.js');
const { profileCommand, profileParser } = await import('../commands/profile.js');
await runCli('leak-profile', profileCommand, profileParser);
