#!/usr/bin/env node
import { runCli } from '../run.js';
import { profileCommand, profileParser } from '../commands/profile.js';

await runCli('leak-profile', profileCommand, profileParser);
