#!/usr/bin/env node
import { runCli } from '../run.js';
import { trackCommand } from '../commands/track.js';
import { trackParser } from '../commands/track-args.js';

await runCli('leak-track', trackCommand, trackParser);
