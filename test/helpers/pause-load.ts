// `node --import <this file>`: registers pause-load-hooks.js with PAUSE_DIR and PAUSE_MATCH from the environment.
import { register } from 'node:module';

register(new URL('./pause-load-hooks.js', import.meta.url), { data: { dir: process.env.PAUSE_DIR ?? '', match: process.env.PAUSE_MATCH ?? '' } });
