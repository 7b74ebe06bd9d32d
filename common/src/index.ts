export * from './config';
export * from './logger';
export * from './names';
export * from './tick';
