export { engineGet, engineJson, engineSocket, EngineError, inspectImage, saveImage, type EngineImage } from './engine.ts';
