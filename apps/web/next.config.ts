import type { NextConfig } from 'next';

// /api/trpc is forwarded to the BFF by src/proxy.ts, at request time: next.config rewrites are fixed at build.
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
};

export default config;
