/** Every endpoint that needs an access token, on every surface, with a harmless body. */
export const PROTECTED: Array<{ method: string; path: string; body?: unknown }> = [
  { method: 'GET', path: '/api/users/me' },
  { method: 'POST', path: '/api/users/logout' },
  { method: 'GET', path: '/api/user/me' },
  { method: 'PUT', path: '/api/user/me', body: { nickname: 'x' } },
  { method: 'GET', path: '/api/v1/auth/me' },
  { method: 'POST', path: '/api/v1/auth/logout' },
  { method: 'POST', path: '/api/v1/auth/change-password', body: { old_password: 'password123', new_password: 'password456' } },
  { method: 'GET', path: '/api/v1/auth/sessions' },
  { method: 'DELETE', path: '/api/v1/auth/sessions' },
  { method: 'GET', path: '/api/v1/users/profile' },
  { method: 'PUT', path: '/api/v1/users/profile', body: { gender: 'x' } },
  { method: 'PUT', path: '/api/v1/users/settings', body: { theme: 'dark' } },
  { method: 'GET', path: '/api/admin/users' },
];
