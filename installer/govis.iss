; Inno Setup script: wraps the PyInstaller one-folder build (dist\govis) into a Windows installer.
; Build: iscc installer\govis.iss   (after: pyinstaller installer\govis.spec)
[Setup]
AppId={{6C2E3A8E-6F1B-4C1D-9E59-2018051A0001}
AppName=政务信息系统项目管理
AppVersion=0.1.0
AppPublisher=蒙阴县人民政府办公室
DefaultDirName={autopf}\govis
DefaultGroupName=政务信息系统项目管理
OutputBaseFilename=govis-setup-0.1.0
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog

[Languages]
Name: "chinesesimp"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Files]
Source: "..\dist\govis\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\政务信息系统项目管理"; Filename: "{app}\govis.exe"
Name: "{autodesktop}\政务信息系统项目管理"; Filename: "{app}\govis.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "在桌面创建快捷方式"; GroupDescription: "附加快捷方式："

[Run]
Filename: "{app}\govis.exe"; Description: "立即运行"; Flags: nowait postinstall skipifsilent
