global using MLNet.ConvNet.Data;
global using MLNet.ConvNet.SampleImages;
