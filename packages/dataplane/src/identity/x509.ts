/**
 * The dataplane's one door to @peculiar/x509: it installs the Reflect metadata the library needs
 * before the library loads. Import X.509 types and functions from here, never from the package.
 */
import 'reflect-metadata';

export * from '@peculiar/x509';
