/** A small plan in Markdown that uses every feature of the format: headings, lists, checklists, markers, dependency lines. */
export const AUTH_PLAN = `# Authentication @backend !high

Users sign in with Google or a password.

## OAuth login ~1d
- [ ] Register the OAuth app ~1h
- [ ] Callback endpoint @api
  Exchanges the code for a token.
  depends on #3
- [x] Choose the library

## Password reset
after OAuth login
1. Reset email template @email
2. Reset form
   - Form validation
   - Error messages
3. Reset tests
   depends on Reset email template, Reset form and task 57
`;
