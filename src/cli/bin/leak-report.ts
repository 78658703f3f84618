#!/usr/bin/env node
import { runCli } from '../run.js';
import { reportCommand, reportParser } from '../commands/report.js';

await runCli('leak-report', reportCommand, reportParser);
