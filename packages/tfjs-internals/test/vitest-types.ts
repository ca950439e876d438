// Brings @tdhook/testing's vitest types (matchers, the provided backend) into this package's program.
import type {} from '@tdhook/testing/vitest';
