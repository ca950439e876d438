// Brings the tensor matchers' types (toBeCloseToTensor, toThrowTdhookError) into this package's test files.
import type {} from '@tdhook/testing/vitest';
