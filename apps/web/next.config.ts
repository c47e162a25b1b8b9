import type { NextConfig } from 'next';

// /api/trpc is forwarded to the BFF by src/proxy.ts, at request time: next.config rewrites are fixed at build.
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // A separate build folder per checkout user lets parallel builds (CI, several developers) not collide.
  distDir: process.env.AMBIT_WEB_DIST_DIR ?? '.next',
};

export default config;
