// Loaded with `node --import ./bench/ablation/register.mjs`: installs the hooks that swap modules for pass-throughs.
import { register } from 'node:module';

register(new URL('./hooks.mjs', import.meta.url));
