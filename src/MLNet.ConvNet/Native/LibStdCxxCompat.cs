// This file is compiled twice: into MLNet.ConvNet (with MLNET_CONVNET_LIBRARY defined) for the runtime
// check and the tests, and by MSBuild's RoslynCodeTaskFactory as the PatchLibTorchSharp build task
// (buildTransitive/MLNet.ConvNet.targets). The task compiler sees only this file with no implicit
// usings and an unknown language version, so it keeps to plain C# with block-scoped namespaces, and says here that
// its nullable annotations are meant in both compilations.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace MLNet.ConvNet.Native
{
    /// <summary>
    /// Makes a copy of <c>libLibTorchSharp.so</c> load on Linux systems whose libstdc++ is older than
    /// the one it was linked against.
    /// </summary>
    /// <remarks>
    /// TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> was linked by GCC 13 and records a need for
    /// <c>GLIBCXX_3.4.32</c> for one symbol only, <c>std::ios_base_library_init()</c>: a link anchor that
    /// GCC 13's &lt;iostream&gt; emits and that nothing calls (no relocation refers to it). Debian 12's
    /// libstdc++ stops at 3.4.30, so the dynamic loader refuses the whole library. Setting VER_FLG_WEAK on
    /// that one version-needed entry turns the refusal into a warning the loader ignores.
    /// The patch is applied only to versions the system lacks, and only when every symbol bound to such
    /// a version is a known unused anchor; anything else is refused with an explanation, because weakening
    /// a version that real code depends on would defer the failure to a crash at call time.
    /// </remarks>
    internal static class LibStdCxxCompat
    {
        private const uint ShtDynsym = 11;
        private const uint ShtRela = 4;
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>Symbols that are safe to leave unresolved: link anchors that no code calls.</summary>
        internal static readonly string[] UnusedAnchorSymbols = { "_ZSt21ios_base_library_initv" };

        /// <summary>Places where distributions install the system libstdc++.</summary>
        internal static readonly string[] SystemLibStdCxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };

        /// <summary>Finds the system libstdc++, or returns null when none of the usual places has it.</summary>
        internal static string? FindSystemLibStdCxx()
        {
            foreach (var candidate in SystemLibStdCxxCandidates)
            {
                if (File.Exists(candidate))
                    return candidate;
            }
            return null;
        }

        /// <summary>The version names (such as GLIBCXX_3.4.30) that a shared library defines.</summary>
        internal static HashSet<string> ReadDefinedVersions(string path)
        {
            var elf = new ElfImage(File.ReadAllBytes(path), path);
            var result = new HashSet<string>(StringComparer.Ordinal);
            foreach (var section in elf.Sections.Where(s => s.Type == ShtGnuVerdef))
            {
                var strtab = elf.Sections[(int)section.Link];
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    ushort count = elf.U16(entry + 6);
                    uint aux = elf.U32(entry + 12);
                    uint next = elf.U32(entry + 16);
                    if (count > 0)
                        result.Add(elf.String(strtab, elf.U32(entry + aux)));
                    if (next == 0)
                        break;
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>One version that a library needs from one of its dependencies.</summary>
        internal sealed class VersionNeed
        {
            public string File = "";
            public string Version = "";
            public ushort Index;
            public ushort Flags;
            public long FlagsOffset;
            public List<string> Symbols = new List<string>();
            public List<string> RelocatedSymbols = new List<string>();
            public bool IsWeak { get { return (Flags & VerFlagWeak) != 0; } }
        }

        /// <summary>Lists the versions a library needs, with the dynamic symbols bound to each.</summary>
        internal static List<VersionNeed> ReadVersionNeeds(byte[] image, string nameForErrors)
        {
            var elf = new ElfImage(image, nameForErrors);
            var needs = new List<VersionNeed>();
            foreach (var section in elf.Sections.Where(s => s.Type == ShtGnuVerneed))
            {
                var strtab = elf.Sections[(int)section.Link];
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    ushort count = elf.U16(entry + 2);
                    string file = elf.String(strtab, elf.U32(entry + 4));
                    long aux = entry + elf.U32(entry + 8);
                    for (int j = 0; j < count; j++)
                    {
                        needs.Add(new VersionNeed
                        {
                            File = file,
                            Flags = elf.U16(aux + 4),
                            FlagsOffset = aux + 4,
                            Index = elf.U16(aux + 6),
                            Version = elf.String(strtab, elf.U32(aux + 8)),
                        });
                        uint auxNext = elf.U32(aux + 12);
                        if (auxNext == 0)
                            break;
                        aux += auxNext;
                    }
                    uint next = elf.U32(entry + 12);
                    if (next == 0)
                        break;
                    entry += next;
                }
            }

            var dynsym = elf.Sections.FirstOrDefault(s => s.Type == ShtDynsym);
            var versym = elf.Sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
            if (dynsym == null || versym == null)
                return needs;

            var byIndex = needs.ToDictionary(n => n.Index);
            var dynstr = elf.Sections[(int)dynsym.Link];
            long symbolCount = dynsym.Size / 24;
            var symbolNeed = new VersionNeed[symbolCount];
            var symbolNames = new string[symbolCount];
            for (long s = 0; s < symbolCount; s++)
            {
                ushort version = (ushort)(elf.U16(versym.Offset + 2 * s) & 0x7fff);
                VersionNeed? need;
                if (byIndex.TryGetValue(version, out need))
                {
                    symbolNames[s] = elf.String(dynstr, elf.U32(dynsym.Offset + 24 * s));
                    symbolNeed[s] = need;
                    need.Symbols.Add(symbolNames[s]);
                }
            }

            int dynsymIndex = elf.Sections.IndexOf(dynsym);
            foreach (var rela in elf.Sections.Where(s => s.Type == ShtRela && s.Link == dynsymIndex))
            {
                for (long r = 0; r < rela.Size / 24; r++)
                {
                    long symbol = (long)(elf.U64(rela.Offset + 24 * r + 8) >> 32);
                    if (symbol > 0 && symbol < symbolCount && symbolNeed[symbol] != null)
                        symbolNeed[symbol].RelocatedSymbols.Add(symbolNames[symbol]);
                }
            }
            return needs;
        }

        /// <summary>The libstdc++ versions a library needs that <paramref name="availableVersions"/> lacks, weakened or not.</summary>
        internal static List<VersionNeed> MissingVersions(byte[] image, string nameForErrors, ICollection<string> availableVersions)
        {
            return ReadVersionNeeds(image, nameForErrors)
                .Where(n => n.File.StartsWith("libstdc++", StringComparison.Ordinal) && !availableVersions.Contains(n.Version))
                .ToList();
        }

        /// <summary>What <see cref="PatchFile"/> did.</summary>
        internal enum PatchOutcome
        {
            /// <summary>The system provides every version the library needs.</summary>
            NotNeeded,
            /// <summary>The missing versions were already marked weak.</summary>
            AlreadyPatched,
            /// <summary>The missing versions were marked weak in place.</summary>
            Patched,
        }

        /// <summary>
        /// Marks every libstdc++ version that <paramref name="libraryPath"/> needs and
        /// <paramref name="availableVersions"/> lacks as weak, writing the file through a temporary copy
        /// and a rename so that a failure never leaves a half-written library.
        /// </summary>
        /// <exception cref="InvalidOperationException">A missing version carries symbols that are really used.</exception>
        internal static PatchOutcome PatchFile(string libraryPath, ICollection<string> availableVersions)
        {
            byte[] image = File.ReadAllBytes(libraryPath);
            var missing = MissingVersions(image, libraryPath, availableVersions);
            if (missing.Count == 0)
                return PatchOutcome.NotNeeded;
            if (missing.All(n => n.IsWeak))
                return PatchOutcome.AlreadyPatched;

            foreach (var need in missing)
            {
                var used = need.Symbols.Where(s => !UnusedAnchorSymbols.Contains(s)).Concat(need.RelocatedSymbols).Distinct().ToList();
                if (used.Count > 0)
                {
                    throw new InvalidOperationException(string.Format(
                        "'{0}' needs {1} from {2} for symbols that code really uses ({3}); the system libstdc++ does not provide it. " +
                        "Install a libstdc++ from GCC 13 or later (for example from the distribution's backports), or use a TorchSharp build made for this system.",
                        libraryPath, need.Version, need.File, string.Join(", ", used)));
                }
            }

            foreach (var need in missing)
            {
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                image[need.FlagsOffset] = (byte)flags;
                image[need.FlagsOffset + 1] = (byte)(flags >> 8);
            }

            string temporary = libraryPath + ".patching-" + Guid.NewGuid().ToString("N");
            try
            {
                File.WriteAllBytes(temporary, image);
                // netstandard2.0 (the task compiler's target) has no File.Move overwrite; Replace is atomic too.
                File.Replace(temporary, libraryPath, null);
            }
            finally
            {
                if (File.Exists(temporary))
                    File.Delete(temporary);
            }
            return PatchOutcome.Patched;
        }

        private sealed class Section
        {
            public uint Name;
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public uint Info;
        }

        /// <summary>A bounds-checked view of a 64-bit little-endian ELF image.</summary>
        private sealed class ElfImage
        {
            private readonly byte[] _bytes;
            private readonly string _name;
            public readonly List<Section> Sections = new List<Section>();

            public ElfImage(byte[] bytes, string name)
            {
                _bytes = bytes;
                _name = name;
                if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
                    throw Bad("it does not start with the ELF magic number");
                if (bytes[4] != 2 || bytes[5] != 1)
                    throw Bad(string.Format("expected a 64-bit little-endian ELF file, got class {0} and data encoding {1}", bytes[4], bytes[5]));

                long sectionTable = (long)U64(0x28);
                ushort entrySize = U16(0x3a);
                ushort count = U16(0x3c);
                if (entrySize < 64)
                    throw Bad(string.Format("expected section headers of 64 bytes, got {0}", entrySize));
                for (int i = 0; i < count; i++)
                {
                    long h = sectionTable + (long)i * entrySize;
                    var section = new Section
                    {
                        Name = U32(h),
                        Type = U32(h + 4),
                        Offset = (long)U64(h + 24),
                        Size = (long)U64(h + 32),
                        Link = U32(h + 40),
                        Info = U32(h + 44),
                    };
                    if (section.Offset < 0 || section.Size < 0 || section.Offset + section.Size > bytes.Length && section.Type != 8)
                        throw Bad(string.Format("section {0} lies outside the file", i));
                    Sections.Add(section);
                }
                foreach (var s in Sections)
                {
                    if (s.Link >= Sections.Count)
                        throw Bad("a section links to a section that does not exist");
                }
            }

            private Exception Bad(string why)
            {
                return new InvalidDataException(string.Format("'{0}' is not an ELF shared library this patcher understands: {1}.", _name, why));
            }

            private void Check(long offset, int length)
            {
                if (offset < 0 || offset + length > _bytes.Length)
                    throw Bad(string.Format("a structure at offset {0} runs past the end of the file ({1} bytes)", offset, _bytes.Length));
            }

            public ushort U16(long offset) { Check(offset, 2); return BitConverter.ToUInt16(_bytes, (int)offset); }
            public uint U32(long offset) { Check(offset, 4); return BitConverter.ToUInt32(_bytes, (int)offset); }
            public ulong U64(long offset) { Check(offset, 8); return BitConverter.ToUInt64(_bytes, (int)offset); }

            public string String(Section table, uint offset)
            {
                long start = table.Offset + offset;
                long end = start;
                while (end < table.Offset + table.Size && end < _bytes.Length && _bytes[end] != 0)
                    end++;
                Check(start, (int)(end - start));
                return Encoding.ASCII.GetString(_bytes, (int)start, (int)(end - start));
            }
        }
    }

#if !MLNET_CONVNET_LIBRARY
    /// <summary>
    /// MSBuild task: patches every copy of libLibTorchSharp.so in an output folder when, and only when,
    /// the system libstdc++ lacks a version it needs. Never touches the NuGet package cache.
    /// </summary>
    public sealed class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        /// <summary>The copies to patch (files inside the build or publish output).</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = [];

        /// <summary>Overrides the system libstdc++ to compare against (for tests); empty means find it.</summary>
        public string? SystemLibStdCxx { get; set; }

        public override bool Execute()
        {
            string? system = string.IsNullOrEmpty(SystemLibStdCxx) ? LibStdCxxCompat.FindSystemLibStdCxx() : SystemLibStdCxx;
            if (system == null)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "MLNet.ConvNet: no system libstdc++ found; libLibTorchSharp.so left as it is.");
                return true;
            }
            var available = LibStdCxxCompat.ReadDefinedVersions(system);
            foreach (var item in Libraries)
            {
                string path = item.ItemSpec;
                if (!File.Exists(path))
                    continue;
                try
                {
                    var outcome = LibStdCxxCompat.PatchFile(path, available);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "MLNet.ConvNet: {0}: {1} (system libstdc++: {2}).", path, outcome, system);
                }
                catch (Exception e)
                {
                    Log.LogWarning("MLNet.ConvNet: could not make '{0}' loadable: {1} See docs/native-libraries.md.", path, e.Message);
                }
            }
            return true;
        }
    }
#endif
}
