/** Other tools' event output as Tenet's RuntimeEvent, so Tenet can run on top of them. */
export { fromFalco } from './falco.ts';
export { fromTetragon } from './tetragon.ts';
export { fromTracee } from './tracee.ts';
