// Node-RED's settings for the lab: the flows in data/, nothing installed at run time, nothing sent anywhere.
module.exports = {
  uiPort: 1880,
  userDir: '/srv/app/data',
  flowFile: 'flows.json',
  credentialSecret: false,
  flowFilePretty: true,
  httpNodeRoot: '/',
  telemetry: { enabled: false, updateNotification: false },
  diagnostics: { enabled: false, ui: false },
  runtimeState: { enabled: false, ui: false },
  externalModules: {
    autoInstall: false,
    palette: { allowInstall: false, allowUpload: false },
    modules: { allowInstall: false },
  },
  functionExternalModules: false,
  editorTheme: { projects: { enabled: false }, tours: false },
  logging: { console: { level: 'info', metrics: false, audit: false } },
};
