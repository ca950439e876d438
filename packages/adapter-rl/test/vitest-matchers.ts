// Brings @tdhook/testing's vitest types (the toBeCloseToTensor matcher, the provided backend) into this
// package's type-checked program; vitest itself registers them at run time through the shared setup file.
import type {} from '@tdhook/testing/vitest';
