export * from './steps.js';
export * from './messages.js';
export * from './events.js';
export * from './answer.js';
export * from './api.js';
export * from './config.js';
export * from './workspace.js';
export * from './auth.js';
