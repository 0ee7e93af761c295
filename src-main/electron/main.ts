// Placeholder: the Electron shell is built in the desktop app issue.
export {};
