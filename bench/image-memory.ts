// Reads one image and prints the process's peak memory: a helper of bench/image.
import { readImage } from '../src/image/index.ts';
import { imageIntent } from '../src/intent/index.ts';

const { model } = imageIntent(await readImage(process.argv[2]!));
console.log(JSON.stringify({ rss: process.resourceUsage().maxRSS, executables: model.inventory?.executables.length ?? 0 }));
